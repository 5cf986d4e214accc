"""Finding a launched browser and its message threads among real processes of this machine."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import SLICES_SUPPORTED as SUPPORTED
from tests.support.processes import in_new_thread, process_threads, thread_names
from tradewire.capture.browser.wakeups import launched_browser, message_threads, prompt_wakeups
from tradewire.core.scheduling import thread_slice

# A stand-in browser: threads named as Chromium names them, then it waits to be killed.
FAKE_BROWSER = """
import sys, threading, time
def named(name):
    path = f"/proc/self/task/{threading.get_native_id()}/comm"
    open(path, "w").write(name)
    time.sleep(60)
for name in ("Chrome_IOThread", "Chrome_DevTools", "ThreadPoolForeg"):
    threading.Thread(target=named, args=(name,), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def browser(tmp_path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A process started like a browser on ``tmp_path/profile`` (main process, no ``--type``)."""
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [sys.executable, "-c", FAKE_BROWSER, f"--user-data-dir={profile}", "--no-first-run"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield process, profile
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_the_browser_on_a_profile_is_found_by_its_main_process(browser, tmp_path, monkeypatch):
    process, profile = browser
    helper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; time.sleep(60)",
            "--type=renderer",
            f"--user-data-dir={profile}",
        ]
    )
    try:
        assert launched_browser(profile) == process.pid
        monkeypatch.chdir(tmp_path)
        assert launched_browser(Path("profile")) == process.pid  # a relative path is the same dir
        assert launched_browser(tmp_path / "other") is None
    finally:
        helper.kill()
        helper.wait()


def test_message_threads_are_the_main_io_and_devtools_threads(browser):
    process, _profile = browser
    threads = message_threads(process.pid)
    assert threads[0] == process.pid
    assert thread_names(process.pid, threads[1:]) == ["Chrome_DevTools", "Chrome_IOThread"]
    assert message_threads(2**22 + 1) == []  # above the kernel's largest process id


def test_prompt_wakeups_covers_the_caller_and_the_browsers_message_threads(browser):
    process, profile = browser

    def hint() -> tuple[int, int | None]:
        return prompt_wakeups(100, profile), thread_slice()

    taken, own = in_new_thread(hint)
    threads = message_threads(process.pid)
    others = [t for t in process_threads(process.pid) if t not in threads]
    if SUPPORTED:
        assert (taken, own) == (1 + len(threads), 100_000)
        assert all(thread_slice(t) == 100_000 for t in threads)
        assert others and all(thread_slice(t) != 100_000 for t in others)
    else:
        assert taken == 0


def test_no_slice_and_no_browser_touch_only_what_they_say(browser):
    process, profile = browser
    assert in_new_thread(lambda: prompt_wakeups(0, profile)) == 0
    assert all(thread_slice(t) != 100_000 for t in message_threads(process.pid))
    expected = 1 if SUPPORTED else 0
    assert in_new_thread(lambda: prompt_wakeups(100, None)) == expected
    assert in_new_thread(lambda: prompt_wakeups(100, profile.parent / "nobody")) == expected
