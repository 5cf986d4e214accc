"""An analysis in the seed's JSON shape, plus what the seed never said: when the data is from,
how old it is, which components had data, and whether the probability is calibrated."""

from __future__ import annotations

from tradewire.analysis.analyzer import COMPONENTS, Analysis
from tradewire.core.clock import iso_utc


def analysis_to_wire(analysis: Analysis) -> dict[str, object]:
    """Return ``analysis`` as the seed's ``{ticker, probability_score, signal, data_source,
    component_scores, levels, position_sizing}`` and the added fields."""
    inputs, levels, size = analysis.inputs, analysis.levels, analysis.size
    calibration = analysis.calibration
    return {
        "ticker": inputs.ticker,
        "probability_score": round(analysis.probability, 1),
        "signal": analysis.signal,
        "data_source": inputs.data_source,
        "component_scores": {
            name: round(analysis.components[name].score, 1) for name in COMPONENTS
        },
        "levels": {
            "entry": levels.entry if levels else None,
            "stop": levels.stop if levels else None,
            "target": levels.target if levels else None,
            "r_r_ratio": round(levels.r_r_ratio, 2) if levels else None,
        },
        "position_sizing": {
            "shares": size.shares if size else 0,
            "risk_dollars": float(size.risk_dollars) if size else 0.0,
            "potential_profit": float(size.potential_profit) if size else 0.0,
        },
        "as_of": iso_utc(inputs.as_of_ns),
        "data_age_seconds": round(inputs.age_s, 1),
        "raw_score": round(analysis.raw_score, 1),
        "calibrated": calibration.fitted_from != "identity",
        "calibration": {
            "method": calibration.fitted_from,
            "samples": calibration.samples,
            "base_rate": round(calibration.base_rate, 4),
        },
        "thresholds": {"buy": analysis.thresholds[0], "sell": analysis.thresholds[1]},
        "components": {
            name: {
                "score": round(component.score, 1),
                "weight": round(analysis.weights[name], 4),
                "has_data": component.has_data,
                "detail": component.detail,
            }
            for name, component in analysis.components.items()
        },
        "levels_detail": {
            "side": levels.side,
            "stop_from": levels.stop_from,
            "target_from": levels.target_from,
        }
        if levels
        else None,
        "sizing_detail": {"capped_by": size.capped_by} if size else None,
        "patterns": [
            {
                "kind": p.kind.value,
                "bias": p.bias,
                "confirmed": p.confirmed,
                "level": p.level,
                "target": p.target,
                "strength": round(p.strength, 2),
            }
            for p in analysis.patterns
        ],
    }
