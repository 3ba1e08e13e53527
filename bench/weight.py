#!/usr/bin/env python3
"""Page weight benchmark (issue 14 §3): bytes a reader's browser transfers, by type.

Builds the demo publication in a temporary folder (or reuses ``--data-dir``), serves it with
``masthead serve --with-worker`` as tests/e2e does (development settings: hashed static
files, the file page cache), lets the worker make the renditions the load enqueued, then
loads the flagship interview, the home page and a section page in Debian's Chromium
(Playwright) as a 390-px phone (DPR 3, touch) and as a 1,400-px desktop (DPR 1 and 2), once
with an empty browser cache (first visit) and once more in the same context (second visit).
Bytes are CDP's ``Network.loadingFinished`` ``encodedDataLength`` (what crossed the wire,
headers included), by resource type.

"Above the fold" images are those whose element intersects the first viewport when the page
has loaded. The phone's first visit is held to the issue's budget (HTML + CSS <= 30 KB,
images above the fold <= 150 KB, total <= 250 KB) and each line prints PASS or FAIL. Also
checks that the article reads without JavaScript (the body text is in the HTML).

LCP: Chromium's PerformanceObserver('largest-contentful-paint') under Lighthouse's mobile
throttling (150 ms RTT, 1.6 Mbps down, 750 kbps up, 4x CPU) set through CDP, on the phone.
Never asserts on time; see bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.deploy.harness import free_port  # noqa: E402

CHROMIUM = os.environ.get("MASTHEAD_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PAGES = {
    "flagship interview": "/en/interviews/the-altitude-of-power/",
    "home": "/en/",
    "section": "/en/analysis/",
}
DEVICES = {
    "phone 390": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop 1400": {"viewport": {"width": 1400, "height": 900}, "device_scale_factor": 1},
    "desktop 1400 2x": {"viewport": {"width": 1400, "height": 900}, "device_scale_factor": 2},
}
KINDS = ("html", "css", "js", "images", "fonts", "other")
_TYPES = {
    "Document": "html",
    "Stylesheet": "css",
    "Script": "js",
    "Image": "images",
    "Font": "fonts",
}
BUDGET = {"html+css": 30 * 1024, "images above the fold": 150 * 1024, "total": 250 * 1024}
# Lighthouse's default mobile throttling (simulated there; applied here through CDP).
THROTTLE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,
    "uploadThroughput": 750 * 1024 / 8,
}
CPU_SLOWDOWN = 4

_ABOVE_THE_FOLD = """() => {
  const h = window.innerHeight, w = window.innerWidth;
  return [...document.images].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > 0 && r.top < h && r.right > 0 && r.left < w && img.currentSrc;
  }).map((img) => img.currentSrc);
}"""

_LCP = """() => new Promise((resolve) => {
  let last = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) last = entry;
  }).observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(last ? {
    ms: last.startTime, element: last.element ? last.element.tagName : '', url: last.url
  } : null), 500);
})"""


def build(data_dir: Path, env: dict) -> None:
    masthead = str(Path(sys.executable).with_name("masthead"))
    started = time.monotonic()
    subprocess.run([masthead, "demo"], env=env, check=True, capture_output=True, timeout=900)
    print(f"demo loaded in {time.monotonic() - started:.1f} s ({data_dir})", flush=True)


def serve(env: dict, port: int) -> subprocess.Popen:
    masthead = str(Path(sys.executable).with_name("masthead"))
    log = open(Path(env["MASTHEAD_DATA_DIR"]) / "bench-weight-serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [masthead, "serve", "--bind", f"127.0.0.1:{port}", "--with-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("masthead serve did not answer within 120 s")


def wait_for_tasks(env: dict, seconds: int) -> None:
    """Until the worker has run every task the load enqueued (the renditions among them)."""
    masthead = str(Path(sys.executable).with_name("masthead"))
    code = (
        "from django_tasks_db.models import DBTaskResult; "
        "print(DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count())"
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = subprocess.run(
            [masthead, "manage", "shell", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        out = out.splitlines()[-1] if out else ""  # after the shell's own notice
        if out == "0":
            print("worker: every enqueued task has run", flush=True)
            return
        print(f"worker: {out or '?'} tasks left", flush=True)
        time.sleep(5)
    print("worker: tasks still pending; renditions left are made on first request", flush=True)


def measure(browser: object, base: str, device: dict, url: str, *, throttle: bool) -> dict:
    context = browser.new_context(**device)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", THROTTLE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    requests: dict[str, tuple[str, str]] = {}
    visit: dict[str, dict[str, int]] = {}

    def sent(event: dict) -> None:
        requests[event["requestId"]] = (event.get("type", ""), event["request"]["url"])

    def done(event: dict) -> None:
        kind, address = requests.get(event["requestId"], ("", ""))
        visit.setdefault("bytes", defaultdict(int))
        visit["bytes"][_TYPES.get(kind, "other")] += int(event.get("encodedDataLength", 0))
        visit.setdefault("by_url", {})[address] = int(event.get("encodedDataLength", 0))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", done)
    results = []
    for _ in ("first", "second"):
        visit.clear()
        page.goto(base + url, wait_until="load")
        page.wait_for_timeout(300)
        above = page.evaluate(_ABOVE_THE_FOLD)
        lcp = page.evaluate(_LCP)
        by_url = visit.get("by_url", {})
        results.append(
            {
                "bytes": dict(visit.get("bytes", {})),
                "above": sum(by_url.get(src, 0) for src in set(above)),
                "lcp": lcp,
                "images": [(src, by_url.get(src, 0)) for src in above],
            }
        )
    context.close()
    return {"first": results[0], "second": results[1]}


def readable_without_js(browser: object, base: str) -> bool:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + PAGES["flagship interview"])
    text = page.inner_text("main")
    context.close()
    return len(text) > 2000


def kb(n: float) -> str:
    return f"{n / 1024:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse (or build) the demo here")
    parser.add_argument(
        "--task-wait", type=int, default=600, help="seconds to wait for the worker"
    )
    args = parser.parse_args()
    temporary = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="masthead-weight-"))
    port = free_port()
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR", "TZ") if k in os.environ}
    env.update(
        MASTHEAD_ENV="development",
        MASTHEAD_DATA_DIR=str(data_dir),
        MASTHEAD_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    if not any(data_dir.glob("*.sqlite3")):
        build(data_dir, env)
    server = serve(env, port)
    try:
        wait_for_tasks(env, args.task_wait)
        base = f"http://127.0.0.1:{port}"
        for url in PAGES.values():  # the page cache filled: every visit measures the wire
            urllib.request.urlopen(base + url, timeout=30).read()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            report(browser, base)
            print(f"\nreadable without JavaScript: {readable_without_js(browser, base)}")
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def report(browser: object, base: str) -> None:
    header = f"{'page':20} {'device':16} {'visit':6} " + " ".join(f"{k:>7}" for k in KINDS)
    header += f" {'total':>7} {'img@fold':>8}"
    print("\nKB transferred (CDP encodedDataLength)\n" + header)
    phone_first: dict[str, dict] = {}
    for name, url in PAGES.items():
        for device_name, device in DEVICES.items():
            result = measure(browser, base, device, url, throttle=False)
            for visit in ("first", "second"):
                data = result[visit]
                total = sum(data["bytes"].values())
                cells = " ".join(kb(data["bytes"].get(k, 0)) for k in KINDS)
                print(
                    f"{name:20} {device_name:16} {visit:6} {cells} {kb(total)} {kb(data['above'])}"
                )
            if device_name == "phone 390":
                phone_first[name] = result["first"]
    print("\nBudget, phone 390 first visit:")
    for name, data in phone_first.items():
        b = data["bytes"]
        figures = {
            "html+css": b.get("html", 0) + b.get("css", 0),
            "images above the fold": data["above"],
            "total": sum(b.values()),
        }
        for line, value in figures.items():
            verdict = "PASS" if value <= BUDGET[line] else "FAIL"
            print(f"  {verdict} {name:20} {line:22} {kb(value)} KB <= {kb(BUDGET[line])} KB")
    print("\nLCP, phone 390, Lighthouse mobile throttling through CDP (first visit):")
    for name, url in PAGES.items():
        result = measure(browser, base, DEVICES["phone 390"], url, throttle=True)
        lcp = result["first"]["lcp"] or {}
        print(
            f"  {name:20} LCP {lcp.get('ms', float('nan')):7.0f} ms"
            f"  ({lcp.get('element', '?')} {lcp.get('url', '')[-60:]})"
        )


if __name__ == "__main__":
    main()
