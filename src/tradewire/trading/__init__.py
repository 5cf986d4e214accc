"""Trading: sizing, the execution port and its venues, triggers, and the trade manager."""
