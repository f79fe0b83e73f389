// Loads the annotation page of a running robotoffd in Debian's headless Chromium (phone-sized viewport),
// answers three questions (y key, No button, s key), saves a screenshot and prints one JSON line:
// {"answers": [{"insight_id", "annotation"}], "first_contentful_paint_ms", "external_requests", ...}.
// Usage: node answer_questions.mjs <base-url> <screenshot.png>
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [baseUrl, screenshot] = process.argv.slice(2);
if (!baseUrl || !screenshot) {
    console.error("usage: node answer_questions.mjs <base-url> <screenshot.png>");
    process.exit(2);
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "robotoffd-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: "fr-FR",
});

// Stand-in for product photos: a labelled grey box.
const placeholder = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">' +
    '<rect width="400" height="300" fill="#d8d2c4"/><text x="200" y="155" font-size="28" text-anchor="middle" ' +
    'font-family="sans-serif" fill="#555">product photo</text></svg>';
const result = { answers: [], external_requests: [], console_errors: [], statuses: [] };
try {
    const page = context.pages()[0] || await context.newPage();
    // The page itself must not reach outside the daemon; product photos (the configured images host) are
    // not served in tests, so they are answered locally with an empty 404 instead of leaving the machine.
    const base = new URL(baseUrl);
    await page.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.host === base.host) {
            return route.continue();
        }
        result.external_requests.push(url.href);
        return route.fulfill({ status: 200, contentType: "image/svg+xml", body: placeholder });
    });
    page.on("console", (m) => { if (m.type() === "error") result.console_errors.push(m.text()); });
    page.on("response", (r) => {
        if (r.url().includes("/api/v1/insights/annotate")) {
            result.statuses.push(r.status());
        }
    });

    // The paint entry may be recorded a little after the load event: wait for it (bounded).
    const paint = async () => {
        try {
            await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0,
                                       null, { timeout: 5000 });
        } catch (e) {
            return null;
        }
        return page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0].startTime);
    };
    // The first navigation of a fresh profile also pays for starting the renderer; the second one is what a
    // returning volunteer sees. Both are reported.
    let started = Date.now();
    await page.goto(baseUrl + "/", { waitUntil: "load" });
    result.cold_load_ms = Date.now() - started;
    result.cold_first_contentful_paint_ms = await paint();
    started = Date.now();
    await page.goto(baseUrl + "/?again", { waitUntil: "load" });
    result.load_ms = Date.now() - started;
    result.first_contentful_paint_ms = await paint();

    const currentId = () => page.locator("#question").getAttribute("data-insight-id");
    const actions = [
        { annotation: 1, act: () => page.keyboard.press("y") },
        { annotation: 0, act: () => page.click("#no") },
        { annotation: -1, act: () => page.keyboard.press("s") },
    ];
    for (const a of actions) {
        await page.locator("#question").waitFor({ state: "visible", timeout: 15000 });
        await page.waitForFunction(() => !document.getElementById("yes").disabled, null, { timeout: 15000 });
        const id = await currentId();
        const question = await page.textContent("#question-text");
        const value = await page.textContent("#value");
        const before = Number(await page.textContent("#answered"));
        await a.act();
        await page.waitForFunction((n) => Number(document.getElementById("answered").textContent) === n + 1,
                                   before, { timeout: 15000 });
        result.answers.push({ insight_id: id, annotation: a.annotation, question, value });
    }
    // Let the next question (or the "no more questions" text) render before the picture is taken.
    await page.waitForFunction(() => {
        const q = document.getElementById("question");
        const s = document.getElementById("status");
        return (!q.hidden && !document.getElementById("yes").disabled) || (!s.hidden && s.textContent.length > 0);
    }, null, { timeout: 15000 });
    result.title = await page.title();
    result.yes_label = await page.textContent("#yes");
    await page.screenshot({ path: screenshot, fullPage: true });
} finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
