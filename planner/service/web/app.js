// The planner's web page: runs, submitting, a run's page, comparing, approving, revisions.
// Everything goes through the service's API with the token the person logged in with
// (kept for this tab only). Text from the service is always inserted as text, never as
// markup; reports are shown in a sandboxed frame that runs no script.
"use strict";

const API = "/api/v1";
const FORMULA = /^[=+\-@\t\r]/;  // cells a spreadsheet would read as a formula
let token = sessionStorage.getItem("planner-token") || "";
let role = sessionStorage.getItem("planner-role") || "";
let timer = null;
let visit = 0;           // each navigation's number: a slower one never draws over a newer
let flash = "";          // a message to show once the next page is drawn
const chosen = new Set();  // runs ticked on Runs, kept while the page refreshes itself

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function number(value, decimals = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return Number(value).toLocaleString("en-GB", {minimumFractionDigits: decimals,
                                                maximumFractionDigits: decimals});
}

function say(text, error = false) {
  const box = document.getElementById("message");
  box.textContent = text;
  box.className = error ? "error" : "";
  box.hidden = !text;
}

async function call(path, options = {}) {
  const headers = Object.assign({"Authorization": `Bearer ${token}`}, options.headers || {});
  const response = await fetch(API + path, Object.assign({}, options, {headers}));
  if (response.status === 401) { logout("Your token was refused: log in again."); throw new Error("401"); }
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      detail = body.detail || body.message || detail;
      if (body.problems) detail += ": " + body.problems.map(p => `${p.file}${p.row ? " row " + p.row : ""}${p.field ? " " + p.field : ""}: ${p.message}`).join("; ");
    } catch (ignored) { /* not JSON */ }
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return response;
}

async function json(path, options) { return (await call(path, options)).json(); }

function table(columns, rows, attributes = {}) {
  const head = el("tr", {}, columns.map(c => el("th", {class: c.number ? "number" : ""}, c.label)));
  const body = rows.map(row => el("tr", {}, columns.map(c => {
    // A cell of its own is shown as it comes; a keyed number is formatted.
    const value = c.cell ? c.cell(row) : (c.number ? number(row[c.key], c.decimals || 0) : row[c.key]);
    return el("td", {class: c.number ? "number" : ""}, value ?? "");
  })));
  return el("table", attributes, el("thead", {}, head), el("tbody", {}, body));
}

function csv(rows) {
  if (!rows.length) return "";
  const columns = Object.keys(rows[0]);
  const cell = value => {
    if (value === null || value === undefined) return "";
    let text = String(value);
    if (typeof value === "string" && FORMULA.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...rows.map(r => columns.map(c => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}

function download(name, text, type) {
  const link = el("a", {href: URL.createObjectURL(new Blob([text], {type})), download: name});
  document.body.append(link);
  link.click();
  link.remove();
}

function action(handler) {
  // A button's work: its failure is said in the message box, never lost.
  return async event => {
    try { await handler(event); } catch (error) { if (error.message !== "401") say(error.message, true); }
  };
}

function report(html) {
  // A sandbox without allow-scripts: the report runs nothing, and sees nothing of this page.
  return el("iframe", {class: "report", sandbox: "", srcdoc: html, title: "Report"});
}

// --- views -----------------------------------------------------------------------------------

async function runsView(view) {
  const [jobs, runs, scenarios] = await Promise.all([json("/jobs?limit=20"), json("/runs"), json("/scenarios")]);
  const names = Object.fromEntries(scenarios.map(s => [s.id, s.name]));
  const jobRows = jobs.map(job => Object.assign({}, job, {progress: job.progress || {}}));
  view.append(el("h2", {}, "Jobs"),
    jobs.length ? table([
      {label: "job", key: "id", number: true},
      {label: "state", cell: j => el("span", {class: `state-${j.state}`, "data-job": j.id}, j.state)},
      {label: "submitted", key: "submitted"},
      {label: "scenario", cell: j => [names[j.request.scenario] || j.request.scenario, ...(j.request.variants || [])].join(" + ")},
      {label: "seconds", cell: j => number(j.progress.seconds, 1), number: true},
      {label: "best objective", cell: j => number(j.progress.objective), number: true},
      {label: "gap", cell: j => j.progress.gap === null || j.progress.gap === undefined ? "–" : `${(100 * j.progress.gap).toFixed(2)} %`, number: true},
      {label: "run", cell: j => j.run_id ? el("a", {href: `#/run/${j.run_id}`}, `#${j.run_id}`) : ""},
      {label: "note", key: "error"},
      {label: "", cell: j => role === "planner" && !["succeeded", "failed", "cancelled"].includes(j.state)
        ? el("button", {type: "button", onclick: action(async () => { await call(`/jobs/${j.id}/cancel`, {method: "POST"}); route(); })}, "Cancel") : ""},
    ], jobRows, {id: "jobs"}) : el("p", {class: "muted"}, "No jobs yet."));
  view.append(el("h2", {}, "Runs"),
    runs.length ? table([
      {label: "", cell: r => el("input", {type: "checkbox", "aria-label": `choose run ${r.id}`, "data-run": r.id, checked: chosen.has(r.id) ? "" : null, onchange: e => e.target.checked ? chosen.add(r.id) : chosen.delete(r.id)})},
      {label: "run", cell: r => el("a", {href: `#/run/${r.id}`}, `#${r.id}`)},
      {label: "created", key: "created"},
      {label: "scenario", key: "scenario_name"},
      {label: "variant", cell: r => r.variant || "base"},
      {label: "status", key: "status"},
      {label: "objective", key: "objective", number: true},
      {label: "coverage %", key: "coverage_per_cent", number: true, decimals: 2},
    ], runs.slice().reverse(), {id: "runs"}) : el("p", {class: "muted"}, "No runs yet."),
    el("div", {class: "actions"}, el("button", {type: "button", id: "compare-chosen", onclick: () => {
      if (chosen.size < 2) { say("Choose two runs or more to compare.", true); return; }
      location.hash = `#/compare/${[...chosen].sort((a, b) => a - b).join(",")}`;
    }}, "Compare chosen runs")));
  if (jobs.some(j => !["succeeded", "failed", "cancelled"].includes(j.state))) {
    timer = setTimeout(route, 1000);  // live progress while a job is queued or running
  }
}

async function submitView(view) {
  const scenarios = await json("/scenarios");
  const variants = el("div", {id: "variants"});
  const pick = el("select", {id: "scenario", name: "scenario", onchange: () => showVariants()},
    scenarios.map(s => el("option", {value: s.id}, `${s.name} (${s.source}, ${s.id})`)));
  function showVariants() {
    const scenario = scenarios.find(s => s.id === pick.value);
    variants.replaceChildren(...(scenario ? scenario.variants : []).map(v =>
      el("label", {}, el("input", {type: "checkbox", name: "variant", value: v}), ` ${v}`)));
  }
  showVariants();
  const form = el("form", {class: "stack", id: "submit-form", onsubmit: async event => {
    event.preventDefault();
    const overrides = {};
    for (const line of form.overrides.value.split("\n").map(l => l.trim()).filter(Boolean)) {
      const at = line.indexOf("=");
      if (at < 1) { say(`override "${line}": expected key=value`, true); return; }
      const text = line.slice(at + 1).trim();
      overrides[line.slice(0, at).trim()] = text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    const body = {scenario: pick.value, overrides,
      variants: [...form.querySelectorAll("input[name=variant]:checked")].map(i => i.value),
      options: {relax: form.relax.checked, gap: Number(form.gap.value || "0.001"),
                time_limit: Number(form.time_limit.value || "300")}};
    try {
      const job = await json("/runs", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      flash = `Job ${job.id} submitted.`;
      location.hash = "#/runs";
    } catch (error) { say(error.message, true); }
  }},
    el("label", {}, "Scenario ", pick),
    el("fieldset", {}, el("legend", {}, "Variants (applied in this order)"), variants),
    el("label", {}, "Overrides, one key=value a line (such as sections.SRB-HUN.beds=140)", el("br"),
       el("textarea", {name: "overrides"})),
    el("label", {}, el("input", {type: "checkbox", name: "relax"}), " fractional units (linear relaxation)"),
    el("label", {}, "Gap ", el("input", {name: "gap", type: "number", step: "0.0001", min: "0", max: "1", value: "0.001"})),
    el("label", {}, "Time limit (seconds) ", el("input", {name: "time_limit", type: "number", min: "0", value: "300"})),
    el("button", {type: "submit"}, "Submit"));
  const upload = el("form", {class: "stack", id: "upload-form", onsubmit: async event => {
    event.preventDefault();
    const data = new FormData();
    data.append("file", upload.file.files[0]);
    try {
      const stored = await json("/scenarios", {method: "POST", body: data});
      flash = `Scenario ${stored.name} stored as ${stored.id}.`;
      route();
    } catch (error) { say(error.message, true); }
  }}, el("label", {}, "A scenario folder zipped, or a workbook ", el("input", {type: "file", name: "file", accept: ".zip,.xlsx", required: true})),
     el("button", {type: "submit"}, "Upload"));
  view.append(el("h2", {}, "Submit a run"), form, el("h2", {}, "Upload a scenario"), upload);
}

async function runView(view, id) {
  const [run, explanations, schedule] = await Promise.all([
    json(`/runs/${id}`), json(`/runs/${id}/explanations`), json(`/runs/${id}/schedule`)]);
  const coverage = (run.summary.coverage || {}).coverage_per_cent;
  view.append(el("h2", {}, `Run #${run.id}: ${run.scenario_name} (${run.variant || "base"})`),
    el("p", {id: "run-headline"}, `${run.status}; objective ${number(run.objective, 2)}; coverage ${number(coverage, 2)} %`),
    ...[run.description ? el("p", {class: "muted"}, run.description) : null,
        run.changes.length ? el("ul", {}, run.changes.map(c => el("li", {}, c))) : null].filter(Boolean));
  const actions = el("div", {class: "actions"},
    el("button", {type: "button", onclick: () => download(`run-${id}-schedule.csv`, csv(schedule), "text/csv")}, "Download schedule.csv"),
    el("button", {type: "button", onclick: action(async () => download(`run-${id}-shortfalls.csv`, csv(await json(`/runs/${id}/shortfalls`)), "text/csv"))}, "Download shortfalls.csv"),
    el("button", {type: "button", onclick: () => download(`run-${id}-explanations.csv`, csv(explanations), "text/csv")}, "Download explanations.csv"));
  if (role === "planner") {
    actions.append(el("button", {type: "button", id: "approve", onclick: async () => {
      try {
        const approval = await json(`/plans/${id}/approve`, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({note: "approved in the web page"})});
        say(`Run #${id} approved: revision ${approval.revision} of ${approval.operation}.`);
      } catch (error) { say(error.message, true); }
    }}, "Approve this plan"));
  }
  view.append(actions);
  const largest = explanations.slice().sort((a, b) => b.shortfall - a.shortfall).slice(0, 20);
  view.append(el("h3", {}, "Why short"), largest.length ? table([
    {label: "period", key: "period", number: true}, {label: "section", key: "section_id"},
    {label: "need", cell: r => `${r.item_type} ${r.item_id}`}, {label: "short", key: "shortfall", number: true, decimals: 1},
    {label: "reason", key: "reason"}, {label: "detail", key: "detail"},
  ], largest, {id: "why-short"}) : el("p", {}, "Nothing short: every need is covered."));
  const choices = column => [...new Set(schedule.map(r => r[column]))].sort();
  const filters = {};
  const body = el("div", {id: "schedule"});
  function render() {
    const rows = schedule.filter(r => Object.entries(filters).every(([k, v]) => !v || String(r[k]) === v));
    body.replaceChildren(el("p", {class: "muted"}, `${rows.length} rows${rows.length > 200 ? ", the first 200 shown" : ""}`),
      table(["period", "section_id", "kind_id", "contribution_id", "contributor", "quantity", "cost"].map(k => ({label: k, key: k, number: ["period", "quantity", "cost"].includes(k), decimals: k === "quantity" ? 1 : 0})), rows.slice(0, 200)));
  }
  view.append(el("h3", {}, "Schedule"), el("div", {class: "filters"}, ["section_id", "kind_id", "contributor"].map(column =>
    el("label", {}, `${column} `, el("select", {name: column, onchange: e => { filters[column] = e.target.value; render(); }},
      el("option", {value: ""}, "all"), choices(column).map(v => el("option", {value: v}, v)))))), body);
  render();
  view.append(el("h3", {}, "Report"), report(await (await call(`/runs/${id}/report`)).text()));
}

async function compareView(view, ids) {
  const form = el("form", {class: "stack", onsubmit: e => { e.preventDefault(); location.hash = `#/compare/${form.runs.value.replace(/\s+/g, "")}`; }},
    el("label", {}, "Runs, comma-separated ", el("input", {name: "runs", value: ids || "", required: true})), el("button", {type: "submit"}, "Compare"));
  view.append(el("h2", {}, "Compare runs"), form);
  if (!ids) return;
  const compared = await json(`/compare?runs=${encodeURIComponent(ids)}`);
  const columns = compared.runs.map(r => r.column);
  const names = Object.fromEntries(compared.runs.map(r => [r.column, r.run]));
  const first = columns[0];
  const rows = compared.kpis;
  view.append(el("h3", {}, "Key figures"), table([
    {label: "KPI", key: "kpi"},
    ...columns.map(c => ({label: names[c], key: c, number: true, decimals: 2})),
    ...columns.slice(1).map(c => ({label: `Δ ${names[c]}`, number: true, cell: r => r[c] === null || r[first] === null ? "–" : (r[c] - r[first] > 0 ? "+" : "") + number(r[c] - r[first], 2)})),
  ], rows, {id: "kpis"}));
  view.append(el("h3", {}, "Report"), report(await (await call(`/report?runs=${encodeURIComponent(ids)}`)).text()));
}

async function revisionsView(view) {
  const revisions = await json("/plans/revisions");
  view.append(el("h2", {}, "Approved revisions"), revisions.length ? table([
    {label: "operation", key: "operation"}, {label: "revision", key: "revision", number: true},
    {label: "status", key: "status"}, {label: "run", cell: r => role === "command-centre" ? `#${r.run_id}` : el("a", {href: `#/run/${r.run_id}`}, `#${r.run_id}`)},
    {label: "approved at", key: "approved_at"}, {label: "cost", key: "objective", number: true},
    {label: "coverage %", key: "coverage_per_cent", number: true, decimals: 2}, {label: "note", key: "note"},
  ], revisions, {id: "revisions"}) : el("p", {class: "muted"}, "No approved revision yet."));
  const operations = [...new Set(revisions.map(r => r.operation))];
  view.append(el("div", {class: "actions"}, operations.map((operation, index) =>
    el("button", {type: "button", id: index ? null : "download-contract", "data-operation": operation,
                  onclick: action(async () => {
      const response = await call(`/plans/approved?operation=${encodeURIComponent(operation)}`);
      download("deployments.json", await response.text(), "application/json");
    })}, operations.length > 1 ? `Download the approved contract of ${operation}` : "Download the approved contract (deployments.json)"))));
}

// --- routing and logging in ------------------------------------------------------------------

async function route() {
  clearTimeout(timer);
  const view = document.getElementById("view");
  const logged = Boolean(token);
  document.getElementById("login").hidden = logged;
  document.getElementById("nav").hidden = !logged;
  document.getElementById("who").textContent = logged ? `logged in as ${role}` : "";
  if (!logged) { view.replaceChildren(); return; }
  const [page, argument] = location.hash.replace(/^#\/?/, "").split("/");
  const mine = ++visit;
  const refresh = view.dataset.page === location.hash;
  if (!refresh) view.replaceChildren(el("p", {class: "muted"}, "Loading…"));  // no stale buttons
  view.dataset.page = location.hash;
  const fresh = el("div");
  try {
    if (role === "command-centre" && page !== "revisions") { location.hash = "#/revisions"; return; }
    if (page === "submit") await submitView(fresh);
    else if (page === "run" && argument) await runView(fresh, argument);
    else if (page === "compare") await compareView(fresh, argument);
    else if (page === "revisions") await revisionsView(fresh);
    else await runsView(fresh);
  } catch (error) {
    if (error.message !== "401" && mine === visit) say(error.message, true);
  }
  if (mine !== visit) return;  // a newer page is on its way
  view.replaceChildren(fresh);
  if (flash) { say(flash); flash = ""; }
}

async function login(event) {
  event.preventDefault();
  const given = document.getElementById("token").value.trim();
  const response = await fetch(API + "/whoami", {headers: {"Authorization": `Bearer ${given}`}});
  if (!response.ok) { say("That token is unknown or revoked.", true); return; }
  token = given;
  role = (await response.json()).role;
  sessionStorage.setItem("planner-token", token);
  sessionStorage.setItem("planner-role", role);
  say("");
  route();
}

function logout(text = "") {
  token = ""; role = "";
  sessionStorage.removeItem("planner-token");
  sessionStorage.removeItem("planner-role");
  say(text, Boolean(text));
  route();
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", login);
  document.getElementById("logout").addEventListener("click", () => logout());
  window.addEventListener("hashchange", () => { say(""); route(); });
  route();
});
