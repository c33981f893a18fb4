"""Many people at once on one server: `python bench/load.py [--sessions 20] [--limit 900]`.

Starts an OpenID Connect provider (oidc-provider-mock) with one account per person and ONE app
(`python -m ecom serve`) on a warehouse seeded with the sample order lines, then drives that many
people at the same time in headless Chromium (one browser, one context per person, Playwright's
async API). Every person signs in through the provider's page, opens Overview and Sales, opens a
saved-view link and a deep link (`/sales?from=&to=`); every other person is an analyst, who also
uploads a small CSV of their own on the Data page (50 order lines with an order-id prefix nobody
else uses) and counts those lines on the SQL page.

Before the crowd, one analyst goes through the same steps alone on the warmed-up server: the
reference each figure is compared with (`--no-reference` leaves it out).

Printed: the machine; per action the time from the click or navigation until the page is done (its
known element visible and Streamlit's script run finished), p50/p95/max, beside the lone person's
time ("open app" is the first load of the front end, up to the sign-in button; "sign in" the
provider's page and back, up to the sidebar's "Signed in: …"); errors (a Streamlit exception
element, "Something went wrong" or any "Error id:" message, an error alert, a Playwright timeout, a
person not done within the time limit; "errors: 0" when healthy); "nothing lost": after the server
has stopped, the warehouse (read-only) holds exactly the seed plus every uploaded line, one
upload_log row per upload, and app.audit one 'signin' row per person and one 'upload' row per
upload; the server's peak memory (VmRSS of it and its child processes, sampled every 0.2 s) and CPU
time, and its own answer time (GET /_stcore/health every second while the crowd runs), beside the
browser's memory and CPU: on a small machine the 20 Chromium front ends, not the server, use most of
the cores, and the page times say so. Everything started here is stopped on the way out, failure or
not; the working folder (server log, warehouse) is kept when something failed.

The defaults (900 s in all, 300 s per action) let 20 people finish on a 2-core machine.
Needs Chromium at /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import app_server, free_port, oidc_provider, secrets_toml  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SEED = ROOT / "sample_data" / "sales_orders.csv"
LINES = 50  # order lines per analyst's upload
DEEP_LINK = ("2026-10-01", "2026-10-31")  # inside the sample's period (2024-12-01 .. 2026-11-30)
VIEW = (date(2026, 10, 20), date(2026, 11, 11), {"grain": "week"})
ACTIONS = ("open app", "sign in", "overview", "data page", "upload + load", "sql page", "sql query", "sales", "saved view link", "deep link")
ERROR_SELECTOR = "[data-testid=stException], [data-testid=stAlertContentError]"
ERROR_TEXT = re.compile(r"Something went wrong|Error id:")
APP_DONE = "[data-testid=stApp][data-test-script-state=notRunning]"
LIVE = "[data-testid=stElementContainer]:not([data-stale=true])"  # not an element left over from the run before
ERROR_ID = re.compile(r"Error id: (\w+)")


@dataclass
class Person:
    sub: str
    name: str
    role: str  # viewer or analyst

    @property
    def email(self) -> str:
        return f"{self.sub}@example.com"

    @property
    def prefix(self) -> str:
        return f"LOAD-{self.sub.upper()}-"

    @property
    def file_name(self) -> str:
        return f"orders-{self.sub}.csv"


@dataclass
class Record:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    loads_clicked: set[str] = field(default_factory=set)  # subs whose Load button was clicked
    loads_confirmed: set[str] = field(default_factory=set)  # ... and whose page then said the lines were loaded
    signed_in: set[str] = field(default_factory=set)  # subs the app showed as signed in
    sql_counts: dict[str, str] = field(default_factory=dict)  # sub -> the count the SQL page showed
    done: set[str] = field(default_factory=set)  # subs that went through every step
    failed: set[str] = field(default_factory=set)  # subs stopped by a timeout or a missing page


def people(n: int) -> list[Person]:
    """n people, every other one an analyst (the first one too)."""
    return [Person(f"u{i:02d}", f"User {i:02d}", "analyst" if i % 2 == 1 else "viewer") for i in range(1, n + 1)]


def claims(p: Person) -> dict:
    # the role claim as a list for some and a plain string for others, as providers send both
    return {"email": p.email, "email_verified": True, "name": p.name, "roles": [p.role] if p.sub[-1] in "02468" else p.role}


def orders_csv(p: Person) -> str:
    rows = ["order_id,order_time,customer_id,product_id,quantity,revenue"]
    for k in range(LINES):
        rows.append(f"{p.prefix}{k:03d},2026-11-{1 + k % 28:02d} {8 + k % 12:02d}:{k % 60:02d}:00,"
                    f"LC{p.sub}{k % 7},LP{k % 9:03d},{1 + k % 3},{10 + k}.50")
    return "\n".join(rows) + "\n"


# -- memory and CPU of process trees -------------------------------------------------------------
def _proc_table() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children[ppid].append(int(entry))
    return children


def _tree(root: int, children: dict[int, list[int]]) -> list[int]:
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """utime + stime of `pid` and of its children it has waited for."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class Sampler(threading.Thread):
    """Every `every` s: the summed VmRSS of the server's process tree and of the browser's (the
    Playwright driver and Chromium, children of this process); their peaks, and the server's CPU time."""

    def __init__(self, every: float = 0.2):
        super().__init__(daemon=True)
        self.every = every
        self.server_pid: int | None = None
        self.peak_server_kb = 0
        self.peak_browser_kb = 0
        self.server_cpu_s = 0.0
        self.browser_cpu_s = 0.0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._halt.wait(self.every):
            children = _proc_table()
            server = self.server_pid
            if server is not None:
                pids = _tree(server, children)
                self.peak_server_kb = max(self.peak_server_kb, sum(_rss_kb(p) for p in pids))
                self.server_cpu_s = max(self.server_cpu_s, sum(_cpu_s(p) for p in pids))
            browser = [c for c in children.get(me, ()) if c != server and _comm(c).startswith("node")]
            pids = [p for b in browser for p in _tree(b, children)]
            self.peak_browser_kb = max(self.peak_browser_kb, sum(_rss_kb(p) for p in pids))
            self.browser_cpu_s = max(self.browser_cpu_s, sum(_cpu_s(p) for p in pids))
            self.samples += 1

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


class Prober(threading.Thread):
    """The server's own answer time, whatever the browsers' load: GET /_stcore/health every `every` s."""

    def __init__(self, url: str, every: float = 1.0):
        super().__init__(daemon=True)
        self.url, self.every = f"{url}/_stcore/health", every
        self.times: list[float] = []
        self.slowest: list[tuple[float, str]] = []  # (seconds, clock time), the 3 slowest
        self.failures = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.every):
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=30) as r:
                    r.read()
                took = time.perf_counter() - t0
                self.times.append(took)
                self.slowest = sorted([*self.slowest, (took, time.strftime("%H:%M:%S"))], reverse=True)[:3]
            except OSError:
                self.failures += 1

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=35)


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return ""


# -- one person --------------------------------------------------------------------------------
class Failed(Exception):
    """A step that cannot go on (timeout, or the page it needs never came)."""


class Driver:
    def __init__(self, url: str, rec: Record, timeout_s: float, tmp: Path, view_token: str):
        self.url, self.rec, self.timeout_ms, self.tmp, self.view_token = url, rec, timeout_s * 1000, tmp, view_token

    async def _errors(self, page, who: Person, action: str, seen: set[str]) -> int:
        """Errors shown on the page now that were not counted before (each plain message has its own id);
        one per error element, however many of its parts match."""
        live = page.locator(LIVE)
        texts = await live.locator(ERROR_SELECTOR).all_inner_texts() + await live.get_by_text(ERROR_TEXT).all_inner_texts()
        kept: list[str] = []
        for text in sorted((" ".join(t.split()) for t in texts), key=len, reverse=True):
            if text and not any(text in k for k in kept):
                kept.append(text)
        found = 0
        for text in kept:
            key = m.group(1) if (m := ERROR_ID.search(text)) else text
            if key in seen:
                continue
            seen.add(key)
            found += 1
            self.rec.errors.append(f"{who.sub} ({who.role}) {action}: {text.removeprefix('error').strip()[:200]}")
        return found

    async def step(self, page, who: Person, action: str, start, ready: list, seen: set[str], url_re: str | None = None) -> bool:
        """Run `start` (a click or a navigation), then wait until each of `ready` is visible (or an
        error shows) and Streamlit's script run has finished; record the time. False if an error showed."""
        t0 = time.perf_counter()
        try:
            await start()
            # an error of this run (one shown before, and the last run's elements, do not count)
            errors = page.locator(LIVE).filter(has=page.locator(ERROR_SELECTOR).or_(page.get_by_text(ERROR_TEXT)))
            for key in seen:
                errors = errors.filter(has_not_text=key)
            reached = True
            for loc in ready:
                await loc.or_(errors).first.wait_for(state="visible", timeout=self.timeout_ms)
                if not await loc.first.is_visible():  # an error came instead
                    reached = False
                    break
            if url_re:
                await page.wait_for_url(re.compile(url_re), timeout=self.timeout_ms)
            await page.locator(APP_DONE).wait_for(state="attached", timeout=self.timeout_ms)
        except Exception as exc:  # Playwright's TimeoutError and a page or browser gone
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.rec.errors.append(f"{who.sub} ({who.role}) {action}: {type(exc).__name__}: {first[:200]}")
            try:
                await self._errors(page, who, action, seen)
            except Exception:  # the page may be gone
                pass
            raise Failed(action) from exc
        elapsed = time.perf_counter() - t0
        if reached:  # the page's known elements came (an error elsewhere on it is counted, not hidden)
            self.rec.times[action].append(elapsed)
        return not await self._errors(page, who, action, seen) and reached

    async def run(self, browser, who: Person) -> None:
        ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", reduced_motion="reduce")
        try:
            page = await ctx.new_page()
            page.set_default_timeout(self.timeout_ms)
            page.set_default_navigation_timeout(self.timeout_ms)
            await page.route("**/cdn.jsdelivr.net/**", lambda route: route.abort())  # the provider's page links a stylesheet online
            await self._flow(page, who)
            self.rec.done.add(who.sub)
        except Failed:
            self.rec.failed.add(who.sub)
        finally:
            try:
                await ctx.close()
            except Exception:  # the browser may be gone already
                pass

    async def _flow(self, page, who: Person) -> None:
        url, seen = self.url, set()
        nav = page.get_by_test_id("stSidebarNav")
        heading = lambda name: page.get_by_role("heading", name=name, exact=True)  # noqa: E731
        metric = page.get_by_test_id("stMetric").first

        sign_in_button = page.get_by_role("button", name="Sign in with your company account")
        await self.step(page, who, "open app", lambda: page.goto(url), [sign_in_button], seen)

        async def sign_in():  # through the provider's page and back
            await sign_in_button.click()
            await page.locator("input[name=sub]").fill(who.sub)
            await page.get_by_role("button", name="Authorize").click()

        badge = page.get_by_text(f"Signed in: {who.name} · {who.role}")
        await self.step(page, who, "sign in", sign_in, [badge, nav], seen)
        self.rec.signed_in.add(who.sub)  # a timeout above would have ended the session
        await self.step(page, who, "overview", lambda: nav.get_by_role("link", name="Overview").click(),
                        [heading("Overview"), metric], seen)
        if who.role == "analyst":
            await self._analyst(page, who, seen, nav, heading)
        await self.step(page, who, "sales", lambda: nav.get_by_role("link", name="Sales").click(), [heading("Sales"), metric], seen)
        await self.step(page, who, "saved view link", lambda: page.goto(f"{url}/?view={self.view_token}"),
                        [heading("Sales"), page.get_by_text("Opened the saved view"), metric], seen, url_re=r"/sales\?.*grain=week")
        start, end = DEEP_LINK
        sidebar = page.get_by_test_id("stSidebar")
        await self.step(page, who, "deep link", lambda: page.goto(f"{url}/sales?from={start}&to={end}"),
                        [heading("Sales"), sidebar.get_by_text(f"{start} – {end}").first, metric], seen)

    async def _analyst(self, page, who: Person, seen: set[str], nav, heading) -> None:
        csv = self.tmp / who.file_name
        csv.write_text(orders_csv(who), encoding="utf-8")
        await self.step(page, who, "data page", lambda: nav.get_by_role("link", name="Data").click(), [heading("Data")], seen)
        load = page.get_by_role("button", name="Load", exact=True)

        async def upload_and_load():
            await page.locator("input[type=file]").set_input_files(str(csv))
            await load.wait_for(state="visible")
            await page.locator(APP_DONE).wait_for(state="attached")
            self.rec.loads_clicked.add(who.sub)
            await load.click()

        done = page.get_by_text(f"{who.file_name}: {LINES} rows loaded into sales, 0 rejected, 0 skipped.")
        await self.step(page, who, "upload + load", upload_and_load, [done], seen)
        if await done.is_visible():
            self.rec.loads_confirmed.add(who.sub)
        await self.step(page, who, "sql page", lambda: nav.get_by_role("link", name="SQL").click(), [heading("SQL")], seen)

        async def query():
            await page.get_by_label("Query").fill(f"SELECT count(*) AS n FROM sales WHERE order_id LIKE '{who.prefix}%'")
            await page.get_by_role("button", name="Run").click()

        if await self.step(page, who, "sql query", query, [page.get_by_text(re.compile(r"^1 rows \("))], seen):
            cells = page.get_by_test_id("stDataFrame").locator("[role=gridcell]")
            await cells.first.wait_for(state="attached")
            self.rec.sql_counts[who.sub] = ",".join(t.strip() for t in await cells.all_inner_texts())


# -- the run -------------------------------------------------------------------------------------
async def drive(url: str, crowd: list[Person], solo: Person | None, rec: Record, solo_rec: Record, timeout_s: float, deadline: float,
                tmp: Path, token: str, ramp_s: float, prober: Prober) -> float:
    """The lone reference person, then the crowd at once; returns the crowd's wall time."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            if solo is not None:
                print(f"reference: {solo.sub} alone ...", flush=True)
                try:
                    await asyncio.wait_for(Driver(url, solo_rec, timeout_s, tmp, token).run(browser, solo),
                                           timeout=max(1.0, deadline - time.monotonic()))
                except TimeoutError:
                    solo_rec.errors.append(f"{solo.sub} (reference): not done within the time limit")
            print(f"crowd: {len(crowd)} people at once ...", flush=True)
            driver = Driver(url, rec, timeout_s, tmp, token)

            async def one(i: int, p: Person):
                if ramp_s:
                    await asyncio.sleep(ramp_s * i / max(1, len(crowd)))
                await driver.run(browser, p)

            t0 = time.monotonic()
            prober.start()
            tasks = [asyncio.create_task(one(i, p)) for i, p in enumerate(crowd)]
            _, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
            wall = time.monotonic() - t0
            prober.stop()
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            for p in crowd:
                if p.sub not in rec.done and p.sub not in rec.failed:
                    rec.errors.append(f"{p.sub} ({p.role}): not done within the time limit")
            return wall
        finally:
            await browser.close()


def seed(warehouse: Path) -> str:
    """The sample order lines through the command-line ingest, and one saved view; returns its token."""
    if SEED.exists():
        env = dict(os.environ, ECOM_WAREHOUSE=str(warehouse))
        out = subprocess.run([sys.executable, "-m", "ecom", "ingest", str(SEED), "--warehouse", str(warehouse)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(f"seeding failed: {out.stdout}{out.stderr}")
    from ecom import views
    from ecom.filters import Filters
    from ecom.warehouse import Warehouse

    wh = Warehouse(warehouse)
    try:
        return views.save(wh, "双11 weekly", "sales", Filters(start=VIEW[0], end=VIEW[1]), VIEW[2])
    finally:
        wh.close()


def counts(warehouse: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        q = lambda sql, *a: con.execute(sql, list(a)).fetchall()  # noqa: E731
        return {
            "sales": q("SELECT count(*) FROM main.sales")[0][0],
            "by_prefix": dict(q("SELECT split_part(order_id, '-', 2), count(*) FROM main.sales WHERE order_id LIKE 'LOAD-%' GROUP BY 1")),
            "distinct_load_ids": q("SELECT count(DISTINCT order_id) FROM main.sales WHERE order_id LIKE 'LOAD-%'")[0][0],
            "upload_log": q("SELECT count(*) FROM main.upload_log")[0][0],
            "upload_files": dict(q("SELECT file_name, count(*) FROM main.upload_log GROUP BY 1")),
            "audit": q("SELECT actor, kind, count(*) FROM app.audit GROUP BY 1, 2"),
        }
    finally:
        con.close()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def machine() -> str:
    with open("/proc/meminfo") as fh:
        total_kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:"))
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "?"
    import streamlit

    return (f"machine: {os.cpu_count()} cores ({cpu}), {total_kb / 1024 / 1024:.1f} GiB RAM; Python {platform.python_version()}, "
            f"Streamlit {streamlit.__version__}")


def report(args, crowd, solo, rec, solo_rec, wall, base, after, sampler, prober, log_text) -> tuple[int, list[str]]:
    """Prints the tables; returns (errors, problems with what the warehouse holds)."""
    print()
    print("| action | n | p50 s | p95 s | max s | alone s | p50 / alone |")
    print("|---|---|---|---|---|---|---|")
    for action in ACTIONS:
        t = rec.times.get(action, [])
        alone = solo_rec.times.get(action, [])
        if not t and not alone:
            continue
        a = f"{alone[0]:.1f}" if alone else "—"
        ratio = f"{pct(t, .5) / alone[0]:.1f}×" if t and alone else "—"
        cells = f"{pct(t, .5):.1f} | {pct(t, .95):.1f} | {max(t):.1f}" if t else "— | — | —"
        print(f"| {action} | {len(t)} | {cells} | {a} | {ratio} |")

    everyone = crowd + ([solo] if solo else [])
    analysts = [p for p in everyone if p.role == "analyst"]
    clicked = rec.loads_clicked | solo_rec.loads_clicked
    confirmed = rec.loads_confirmed | solo_rec.loads_confirmed
    signed_in = rec.signed_in | solo_rec.signed_in
    audit = defaultdict(int)
    for actor, kind, n in after["audit"]:
        audit[(actor, kind)] = n
    # A confirmed upload must have landed whole, exactly once; one never sent must not have; one sent but
    # cut off by a timeout may have landed or not, but all of it or none (lines, upload_log row, audit row).
    landed = {p.sub: after["by_prefix"].get(p.sub.upper(), 0) for p in analysts}
    lines_bad = [p.sub for p in analysts
                 if landed[p.sub] not in ({LINES} if p.sub in confirmed else {0, LINES} if p.sub in clicked else {0})]
    log_bad = [p.sub for p in analysts if after["upload_files"].get(p.file_name, 0) != (landed[p.sub] == LINES)]
    upload_bad = [p.sub for p in analysts if audit[(p.email, "upload")] != (landed[p.sub] == LINES)]
    signin_bad = [p.sub for p in everyone if audit[(p.email, "signin")] not in ({1} if p.sub in signed_in else {0, 1})]
    n_landed = sum(n == LINES for n in landed.values())
    unsure = len(clicked - confirmed)
    expected_lines = base["sales"] + sum(landed.values())
    sql_counts = {**rec.sql_counts, **solo_rec.sql_counts}
    sql_bad = [f"{sub}={v}" for sub, v in sql_counts.items() if v != str(LINES)]
    wrong = lambda subs: f" (wrong: {', '.join(subs)})" if subs else ""  # noqa: E731
    checks = [
        ("sales lines (seed + uploads)", f"{base['sales']:,} + {LINES} × {n_landed} = {expected_lines:,}", f"{after['sales']:,}",
         after["sales"] == expected_lines),
        ("each upload's lines, once", f"{len(confirmed)} × {LINES}" + (f" (+ {unsure} cut off: all or none)" if unsure else ""),
         f"{len(analysts) - len(lines_bad)} of {len(analysts)} analysts right{wrong(lines_bad)}",
         not lines_bad and after["distinct_load_ids"] == sum(landed.values())),
        ("upload_log rows added", f"{n_landed}", f"{after['upload_log'] - base['upload_log']}{wrong(log_bad)}",
         after["upload_log"] - base["upload_log"] == n_landed and not log_bad),
        ("audit 'signin', one per person", f"{len(signed_in)}" + (f" (+ up to {len(everyone) - len(signed_in)} cut off)" if len(signed_in) < len(everyone) else ""), f"{sum(audit[(p.email, 'signin')] for p in everyone)}{wrong(signin_bad)}",
         not signin_bad),
        ("audit 'upload', one per upload", f"{n_landed}", f"{sum(audit[(p.email, 'upload')] for p in analysts)}{wrong(upload_bad)}",
         not upload_bad),
        ("SQL page count of own lines", f"{LINES} for each of {len(sql_counts)}", f"{sum(v == str(LINES) for v in sql_counts.values())} showed {LINES}" +
         (f" (other: {', '.join(sql_bad)})" if sql_bad else ""), not sql_bad),
    ]
    print()
    print("| nothing lost | expected | found | ok |")
    print("|---|---|---|---|")
    for name, want, got, ok in checks:
        print(f"| {name} | {want} | {got} | {'yes' if ok else 'NO'} |")
    problems = [name for name, _, _, ok in checks if not ok]

    errors = rec.errors + solo_rec.errors
    ids = re.findall(r"error id (\w+)", log_text)
    tracebacks = log_text.count("Traceback (most recent call last)")
    print()
    print(f"server: peak memory {sampler.peak_server_kb / 1024:,.0f} MB (VmRSS of the server and its children, "
          f"{sampler.samples} samples every {sampler.every} s); CPU {sampler.server_cpu_s:,.0f} s "
          f"(the crowd's {wall:,.0f} s on {os.cpu_count()} cores); log: {len(ids)} error ids, {tracebacks} tracebacks")
    h = [t * 1000 for t in prober.times]
    if h:
        print(f"server answer time while the crowd ran (GET /_stcore/health every {prober.every:g} s, {len(h)} probes): "
              f"p50 {pct(h, .5):,.0f} ms, p95 {pct(h, .95):,.0f} ms, max {max(h):,.0f} ms; {prober.failures} failed; slowest at "
              + ", ".join(f"{clock} ({took:.1f} s)" for took, clock in prober.slowest))
    print(f"browser (Playwright driver + Chromium, {len(crowd)} contexts): peak memory {sampler.peak_browser_kb / 1024:,.0f} MB "
          f"(summed VmRSS, shared pages counted per process); CPU {sampler.browser_cpu_s:,.0f} s")
    print(f"errors: {len(errors)}")
    for e in errors[:40]:
        print(f"  - {e}")
    if len(errors) > 40:
        print(f"  … and {len(errors) - 40} more")
    return len(errors), problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python bench/load.py", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20, help="people at once (default 20; every other one an analyst)")
    p.add_argument("--limit", type=float, default=900, help="seconds for the whole run, start to checks (default 900)")
    p.add_argument("--timeout", type=float, default=300, help="seconds one action may take before it counts as an error (default 300)")
    p.add_argument("--ramp", type=float, default=0, help="spread the crowd's starts over this many seconds (default 0: all at once)")
    p.add_argument("--no-reference", action="store_true", help="leave out the lone person before the crowd")
    p.add_argument("--keep", action="store_true", help="keep the working folder (warehouse, logs) even when all went well")
    args = p.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    t_start = time.monotonic()
    deadline = t_start + args.limit - 20  # leaves time to stop the servers and read the warehouse
    crowd = people(args.sessions)
    solo = None if args.no_reference else Person("solo", "Solo Analyst", "analyst")
    everyone = crowd + ([solo] if solo else [])
    n_analysts = sum(p.role == "analyst" for p in crowd)
    print(machine())
    print(f"{len(crowd)} people at once ({n_analysts} analysts, {len(crowd) - n_analysts} viewers) in one headless Chromium, "
          f"one context each; time limit {args.limit:.0f} s, {args.timeout:.0f} s per action")

    tmp = Path(tempfile.mkdtemp(prefix="ecom-load-"))
    warehouse = tmp / "wh.duckdb"
    rec, solo_rec = Record(), Record()
    sampler = Sampler()
    wall, ok, prober = 0.0, False, None
    log_text = ""
    try:
        t0 = time.monotonic()
        token = seed(warehouse)
        base = counts(warehouse)
        print(f"seed: {base['sales']:,} sample order lines and one saved view ({time.monotonic() - t0:.0f} s)")
        sampler.start()
        port = free_port()
        with oidc_provider(tmp, {q.sub: claims(q) for q in everyone}) as provider_port:
            with app_server(warehouse, tmp, secrets=secrets_toml(port, provider_port=provider_port), port=port) as (url, proc):
                sampler.server_pid = proc.pid
                print(f"server up at {url} ({time.monotonic() - t_start:.0f} s since start)", flush=True)
                prober = Prober(url)
                wall = asyncio.run(drive(url, crowd, solo, rec, solo_rec, args.timeout, deadline, tmp, token, args.ramp, prober))
                time.sleep(0.5)  # one more memory sample of the server after the last page
            sampler.server_pid = None
        sampler.stop()
        log_path = tmp / f"server-{port}.log"
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        after = counts(warehouse)
        n_errors, problems = report(args, crowd, solo, rec, solo_rec, wall, base, after, sampler, prober, log_text)
        ok = n_errors == 0 and not problems
        slow = max(((a, pct(rec.times[a], .95)) for a in ACTIONS if rec.times.get(a)), key=lambda x: x[1], default=("—", 0.0))
        print()
        print(f"load: {len(crowd)} sessions ({n_analysts} analyst{'' if n_analysts == 1 else 's'}) in {wall:,.0f} s, errors: {n_errors}, "
              f"nothing lost: {'yes' if not problems else 'NO (' + '; '.join(problems) + ')'}, "
              f"slowest p95: {slow[0]} {slow[1]:.1f} s, server peak {sampler.peak_server_kb / 1024:,.0f} MB, "
              f"total {time.monotonic() - t_start:,.0f} s")
        return 0 if ok else 1
    except BaseException as exc:  # pytest.fail from tests.servers derives from BaseException
        print(f"load: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return 1
    finally:
        for thread in (sampler, prober):
            if thread is not None and thread.is_alive():
                thread.stop()
        if ok and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"working folder kept: {tmp} (server log server-*.log, warehouse wh.duckdb)")


if __name__ == "__main__":
    raise SystemExit(main())
