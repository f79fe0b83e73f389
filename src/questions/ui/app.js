// The annotation page: fetches questions, shows one at a time, posts answers to the annotate route.
// Anonymous answers are votes tied to a device id kept in localStorage; a Product Opener `session` cookie,
// when the browser has one for this site, is sent along and makes the answer a logged-in decision.
"use strict";

const state = { queue: [], current: null, busy: false, answered: 0, strings: {} };
const $ = (id) => document.getElementById(id);

function deviceId() {
    let id = localStorage.getItem("robotoff_device_id");
    if (!id) {
        const bytes = new Uint8Array(16);
        crypto.getRandomValues(bytes);  // works on plain http too, unlike randomUUID
        id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        localStorage.setItem("robotoff_device_id", id);
    }
    return id;
}

function t(key) {
    return state.strings[key] || key;
}

async function loadStrings(lang) {
    try {
        const r = await fetch("/ui/i18n/" + encodeURIComponent(lang));
        state.strings = r.ok ? await r.json() : {};
    } catch (e) {
        state.strings = {};
    }
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.title = t("Robotoff questions");
}

function filters() {
    return { lang: $("lang").value, country: $("country").value, type: $("type").value };
}

function saveFilters() {
    localStorage.setItem("robotoff_filters", JSON.stringify(filters()));
}

function restoreFilters() {
    let saved = {};
    try {
        saved = JSON.parse(localStorage.getItem("robotoff_filters") || "{}");
    } catch (e) {
        saved = {};
    }
    const guess = (navigator.language || "en").split(/[-_]/)[0];
    const lang = saved.lang || guess;
    $("lang").value = Array.from($("lang").options).some((o) => o.value === lang) ? lang : "en";
    $("country").value = saved.country || "";
    $("type").value = saved.type || "";
}

function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
    $("status").hidden = !text;
}

async function fetchQuestions() {
    const f = filters();
    const params = new URLSearchParams({ lang: f.lang, count: "10", device_id: deviceId() });
    if (f.country) {
        params.set("countries", f.country);
    }
    if (f.type) {
        params.set("insight_types", f.type);
    }
    const r = await fetch("/api/v1/questions/random?" + params.toString(), { credentials: "same-origin" });
    if (!r.ok) {
        throw new Error("HTTP " + r.status);
    }
    const body = await r.json();
    return body.questions || [];
}

async function productName(q) {
    try {
        const r = await fetch("/ui/product/" + encodeURIComponent(q.barcode) + "?server_type=" + q.server_type);
        if (r.ok) {
            const body = await r.json();
            return body.product_name || null;
        }
    } catch (e) {
        // the name is a convenience; the question stands without it
    }
    return null;
}

function setImage(img, url, fallback) {
    img.hidden = !url;
    if (fallback) {
        fallback.hidden = !!url;
    }
    img.onerror = () => {
        img.hidden = true;
        if (fallback) {
            fallback.hidden = false;
        }
    };
    if (url) {
        img.src = url;
    } else {
        img.removeAttribute("src");
    }
}

async function show(q) {
    state.current = q;
    $("question-text").textContent = q.question;
    $("value").textContent = q.value;
    $("barcode").textContent = q.barcode;
    $("product-name").textContent = "";
    setImage($("photo"), q.source_image_url, $("no-photo"));
    $("ref-box").hidden = !q.ref_image_url;
    setImage($("ref"), q.ref_image_url, null);
    $("question").hidden = false;
    $("question").dataset.insightId = q.insight_id;
    setStatus("", false);
    setButtons(true);
    const name = await productName(q);
    if (state.current === q) {
        $("product-name").textContent = name || t("Unknown product");
    }
}

function setButtons(enabled) {
    document.querySelectorAll("#buttons button").forEach((b) => { b.disabled = !enabled; });
}

async function next() {
    if (state.queue.length === 0) {
        $("question").hidden = true;
        setStatus(t("Loading..."), false);
        try {
            state.queue = await fetchQuestions();
        } catch (e) {
            setStatus(t("Could not save the answer; try again.") + " (" + e.message + ")", true);
            return;
        }
    }
    const q = state.queue.shift();
    if (!q) {
        state.current = null;
        $("question").hidden = true;
        setStatus(t("No more questions for these filters."), false);
        return;
    }
    await show(q);
}

async function answer(value) {
    const q = state.current;
    if (!q || state.busy) {
        return;
    }
    state.busy = true;
    setButtons(false);
    const body = new URLSearchParams({ insight_id: q.insight_id, annotation: String(value), device_id: deviceId() });
    try {
        const r = await fetch("/api/v1/insights/annotate", {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: body.toString(),
        });
        const result = r.ok ? await r.json() : null;
        if (!result || result.status_code === 10) {
            throw new Error(result ? result.status : "HTTP " + r.status);
        }
        state.answered += 1;
        $("answered").textContent = String(state.answered);
        state.busy = false;
        await next();
    } catch (e) {
        state.busy = false;
        setButtons(true);
        setStatus(t("Could not save the answer; try again.") + " (" + e.message + ")", true);
    }
}

function onFilterChange() {
    saveFilters();
    state.queue = [];
    loadStrings(filters().lang).then(next);
}

function init() {
    restoreFilters();
    document.querySelectorAll("#buttons button").forEach((b) => {
        b.addEventListener("click", () => answer(Number(b.dataset.answer)));
    });
    ["lang", "country", "type"].forEach((id) => $(id).addEventListener("change", onFilterChange));
    document.addEventListener("keydown", (e) => {
        if (e.target.tagName === "SELECT" || e.ctrlKey || e.metaKey || e.altKey) {
            return;
        }
        const keys = { y: 1, n: 0, s: -1 };
        if (e.key in keys) {
            e.preventDefault();
            answer(keys[e.key]);
        }
    });
    loadStrings(filters().lang).then(next);
}

init();
