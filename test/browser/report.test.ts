// The HTML report in a real browser: headless Chromium (Debian's, or CHROMIUM_PATH) opens the
// report offline, every request is recorded and anything but the report file itself is
// refused. (1) The bundled hyper-style sample: the finding and its chart render, no console
// error, screenshots in light and dark mode. (2) A trace full of <script> and <img onerror>
// text: nothing runs, no element of its own appears, the text is shown as text.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TestContext } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The report exactly as a user gets it: `analyze --html FILE`, with the JSON findings. */
function cliReport(trace: string): { html: string; findings: { stream: string | null }[] } {
  const out = join(mkdtempSync(join(tmpdir(), "strace-race-html-")), "report.html");
  const r = spawnSync(process.execPath, [join(root, "bin", "strace-race.js"), "analyze", "--format", "json", "--html", out, trace], {
    cwd: root,
    encoding: "utf8",
  });
  assert.ok(r.status === 0 || r.status === 1, `analyze --html exited ${r.status}: ${r.stderr}`);
  return { html: readFileSync(out, "utf8"), findings: JSON.parse(r.stdout).findings };
}

/** The browser globals the page-side callbacks use (this project compiles without the DOM lib). */
interface PageGlobals {
  getComputedStyle(el: unknown): { stroke: string; fill: string; backgroundColor: string };
  document: { querySelectorAll(selector: string): { length: number } };
  __pwned?: unknown;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let browser: Browser | null = null;
let unavailable = "";
const outDir = mkdtempSync(join(tmpdir(), "strace-race-report-"));

before(async () => {
  if (!existsSync(CHROMIUM)) {
    unavailable = `no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`;
    return;
  }
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  } catch (err) {
    unavailable = `Chromium at ${CHROMIUM} did not start: ${String((err as Error)?.message ?? err).split("\n")[0]}`;
  }
});

after(async () => {
  await browser?.close();
});

/** The browser, or a skip with the reason (never a silent pass). */
function need(t: TestContext): Browser | null {
  if (browser === null) t.skip(unavailable || "Chromium is not available");
  return browser;
}

interface Opened {
  readonly page: Page;
  readonly url: string;
  /** Every request the page made, the report itself included. */
  readonly requests: string[];
  /** Console errors and warnings, uncaught page errors, CSP violations. */
  readonly problems: string[];
  readonly dialogs: string[];
  close(): Promise<void>;
}

async function open(b: Browser, html: string, name: string, colorScheme: "light" | "dark" = "light"): Promise<Opened> {
  const file = join(outDir, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await b.newContext({ colorScheme, viewport: { width: 1100, height: 900 }, offline: true, javaScriptEnabled: true });
  const requests: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  await context.route("**/*", (route) => (route.request().url() === url ? route.continue() : route.abort()));
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, url, requests, problems, dialogs, close: () => context.close() };
}

describe("HTML report in Chromium", () => {
  test("the hyper-style sample: the finding and its chart render offline, no console error", async (t) => {
    const b = need(t);
    if (b === null) return;
    const { html } = cliReport("samples/hyper-short-write/f-tt-T.strace");
    for (const scheme of ["light", "dark"] as const) {
      const o = await open(b, html, `hyper-short-write-${scheme}`, scheme);
      try {
        const { page } = o;
        // The chart and its series.
        assert.equal(await page.locator("svg.chart").count(), 1);
        const box = await page.locator("svg.chart").boundingBox();
        assert.ok(box !== null && box.width > 600 && box.height > 150, `chart box ${JSON.stringify(box)}`);
        for (const series of ["intended", "accepted"]) {
          const d = await page.locator(`svg.chart path[data-series="${series}"]`).getAttribute("d");
          assert.ok(d !== null && d.split("L").length >= 7, `${series}: ${d}`);
        }
        const ponr = page.locator(`svg.chart [data-marker="point-of-no-return"]`);
        assert.equal(await ponr.count(), 1);
        assert.ok(await ponr.isVisible());
        assert.equal((await ponr.textContent())?.trim(), "shutdown: point of no return");
        // The inline style was allowed by its hash and follows the colour scheme.
        const stroke = await page.locator(`path[data-series="intended"]`).evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).stroke);
        assert.equal(stroke, scheme === "light" ? "rgb(217, 72, 15)" : "rgb(255, 146, 43)");
        const bg = await page.locator("body").evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor);
        assert.equal(bg, scheme === "light" ? "rgb(245, 246, 248)" : "rgb(15, 17, 21)");
        // The finding.
        const card = page.locator("article.finding");
        assert.equal(await card.count(), 1);
        assert.match((await card.locator(".message").textContent()) ?? "", /pid 9349 shut down socket fd 6 while 10,976,354 bytes were never sent/);
        assert.equal(await card.locator("table.evidence tr.point-of-no-return").count(), 1);
        // Hover: the call's band lights up and carries the exact values.
        const hit = page.locator("rect.hit").first();
        assert.match((await hit.locator("title").textContent()) ?? "", /requested 14,896,226 · accepted 3,919,872 \(short write\)/);
        const before = await hit.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).fill);
        await hit.hover();
        const during = await hit.evaluate((el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).fill);
        assert.notEqual(during, before, "the hovered call is highlighted");
        await page.mouse.move(0, 0);
        // Screenshot for people (and CI artifacts).
        const shot = join(outDir, `hyper-short-write-${scheme}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        t.diagnostic(`screenshot: ${shot}`);
        // Offline: the report file was the only request.
        assert.ok(o.requests.length >= 1);
        assert.deepEqual(o.requests.filter((u) => u !== o.url), []);
        assert.deepEqual(o.problems, []);
        assert.deepEqual(o.dialogs, []);
      } finally {
        await o.close();
      }
    }
  });

  test("a hostile trace: nothing runs, no element of its own, its text shown as text", async (t) => {
    const b = need(t);
    if (b === null) return;
    const dir = mkdtempSync(join(tmpdir(), "strace-race-hostile-"));
    const evil = `<img src=x onerror=window.__pwned=1>'"`;
    const file = join(dir, `${evil}.strace`);
    const deco = `UNIX-STREAM:[777->778,"/tmp/<script>window.__pwned=1</script><img src=x onerror=alert(1)>\\"'</style>"]`;
    writeFileSync(
      file,
      [
        `100 00:00:01.000000 socket(AF_UNIX, SOCK_STREAM, 0) = 5<UNIX-STREAM:[777]>`,
        `100 00:00:01.000100 connect(5<UNIX-STREAM:[777]>, {sa_family=AF_UNIX, sun_path="/tmp/<script>alert(1)</script>"}, 110) = 0`,
        `100 00:00:01.000200 write(5<${deco}>, "<script>window.__pwned=1</script><img src=x onerror=alert(1)>\\33[31m", 4000000) = 65536`,
        `100 00:00:01.000300 write(5<${deco}>, "</style><script>alert(1)</script>"..., 3934464) = -1 EAGAIN (Resource temporarily unavailable)`,
        `100 00:00:01.000400 shutdown(5<${deco}>, SHUT_WR) = 0`,
        ` > /tmp/<img src=x onerror=alert(1)>/srv(<script>alert(1)</script>+0x71) [0x1670]`,
        `100 00:00:01.000500 close(5<${deco}>) = 0`,
        `<script>window.__pwned=1</script> <img src=x onerror=window.__pwned=1> not a strace line`,
        `100 00:00:01.000700 +++ exited with 0 +++`,
        ``,
      ].join("\n"),
    );
    const { html, findings } = cliReport(file);
    assert.equal(findings.length, 1, "the hostile trace still has its finding");
    assert.ok(findings[0]!.stream?.includes("<script>"), "the decoration reaches the report unchanged");
    const o = await open(b, html, "hostile");
    try {
      const { page } = o;
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned), undefined);
      assert.deepEqual(o.dialogs, []);
      const foreign = await page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.querySelectorAll("script, img, iframe, object, embed, link, base, form, [onerror], [onload], [style]").length,
      );
      assert.equal(foreign, 0);
      // Its text is there, visibly, as text.
      const message = (await page.locator("article.finding .message").textContent()) ?? "";
      assert.ok(message.includes(`<script>window.__pwned=1</script><img src=x onerror=alert(1)>`), message);
      assert.ok(((await page.locator("header .sub").textContent()) ?? "").includes(evil));
      assert.equal(await page.locator("svg.chart").count(), 1);
      const shot = join(outDir, "hostile.png");
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);
      assert.deepEqual(o.requests.filter((u) => u !== o.url), []);
      assert.deepEqual(o.problems, []);
    } finally {
      await o.close();
    }
  });
});
