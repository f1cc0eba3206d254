// 普法小讲堂 工作台: line numbers and findings that follow the editor, and live job progress (server-sent events).
"use strict";

function setupEditor() {
  const text = document.getElementById("text");
  if (!text) return;
  const gutter = document.getElementById("gutter");
  const findings = document.getElementById("findings");
  const renumber = () => {
    const lines = text.value.split("\n").length;
    findings.style.setProperty("--lines", String(lines));
    if (gutter.childElementCount !== lines) {
      gutter.textContent = "";
      for (let n = 1; n <= lines; n++) {
        const span = document.createElement("span");
        span.textContent = n + "\n";
        span.dataset.line = String(n);
        gutter.appendChild(span);
      }
    }
    markLines();
  };
  const markLines = () => {
    const bad = new Set(Array.from(findings.querySelectorAll(".finding-line")).filter((el) => el.querySelector(".error")).map((el) => el.dataset.line));
    for (const span of gutter.children) span.classList.toggle("has-error", bad.has(span.dataset.line));
  };
  const follow = () => { gutter.scrollTop = text.scrollTop; findings.scrollTop = text.scrollTop; };
  // Unsaved work is never lost by leaving the page by mistake; Ctrl-S (⌘S) saves, as in any editor.
  let dirty = false;
  text.addEventListener("input", () => { dirty = true; });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "saved" && event.detail.target.querySelector(".ok")) dirty = false;
  });
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      document.getElementById("save").click();
    }
  });
  text.addEventListener("input", renumber);
  text.addEventListener("scroll", follow);
  document.body.addEventListener("htmx:afterSwap", () => { markLines(); follow(); });
  renumber();
  // #line-N (from a build failure's 去改 link): put the cursor on that line and bring it into view.
  const wanted = /^#line-(\d+)$/.exec(window.location.hash);
  if (wanted) {
    const lines = text.value.split("\n");
    const line = Math.min(Number(wanted[1]), lines.length);
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + lines[line - 1].length);
    text.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(text).lineHeight));
    follow();
  }
}

const STATES = { waiting: "排队中", running: "进行中", done: "完成", failed: "失败" };
const WEIGHTS = { voice: [0, 30], frames: [30, 60], encode: [60, 95], finish: [95, 100] };

function watchJob(box) {
  if (box.dataset.watching) return;
  box.dataset.watching = "1";
  const lines = box.querySelector(".job-lines");
  const fill = box.querySelector(".fill");
  const state = box.querySelector(".job-state");
  const result = box.querySelector(".job-result");
  const rows = new Map();
  let total = 1, done = 0;
  const row = (number, title) => {
    if (!rows.has(number)) {
      const li = document.createElement("li");
      li.dataset.number = String(number);
      lines.appendChild(li);
      rows.set(number, { li, title: title || "" });
    }
    const r = rows.get(number);
    if (title) r.title = title;
    return r;
  };
  const source = new EventSource("/jobs/" + encodeURIComponent(box.dataset.job) + "/events");
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "running") { state.textContent = STATES.running; }
    else if (event.type === "begin") { total = Math.max(event.to_build, 1); if (event.to_build === 0) lines.insertAdjacentHTML("beforeend", "<li>没有需要生成的节目（都已是最新）。</li>"); }
    else if (event.type === "started") { row(event.number, event.title).li.textContent = "第" + event.number + "期 " + event.title + "：开始"; }
    else if (event.type === "stage") {
      const r = row(event.number);
      r.li.textContent = "第" + event.number + "期 " + r.title + "：" + event.label + " " + event.percent + "%";
      const [low, high] = WEIGHTS[event.stage] || [0, 100];
      const share = (done + (low + (high - low) * event.percent / 100) / 100) / total;
      fill.style.width = Math.min(100, Math.round(share * 100)) + "%";
    }
    else if (event.type === "finished") {
      done += 1;
      const r = row(event.number);
      r.li.className = event.outcome;
      const words = { built: "完成", failed: "失败", skipped: "跳过" }[event.outcome] || event.outcome;
      r.li.textContent = "第" + event.number + "期 " + r.title + "：" + words + (event.outcome === "failed" ? "：" + (event.line ? "第" + event.line + "行 " : "") + event.text : "");
      fill.style.width = Math.round(done / total * 100) + "%";
    }
    else if (event.type === "warning") { lines.insertAdjacentHTML("beforeend", "<li class='warning'></li>"); lines.lastChild.textContent = "注意：" + event.text; }
    else if (event.type === "end") {
      source.close();
      box.classList.add(event.state);
      state.textContent = STATES[event.state];
      fill.style.width = "100%";
      showResult(box, result, event);
    }
  };
}

function showResult(box, result, event) {
  for (const problem of event.problems || []) {
    const p = document.createElement("p");
    p.className = "problem-box";
    p.textContent = (problem.line ? "第" + problem.line + "行：" : "") + problem.text;
    result.appendChild(p);
  }
  const r = event.result || {};
  if (box.dataset.kind === "preview" && r.page) {
    const p = document.createElement("p");
    p.textContent = "样片 " + r.duration + " 秒，用了 " + r.seconds + " 秒做好。";
    result.appendChild(p);
    // A job already finished when the page was drawn is only replayed; a fresh one brings the review page in.
    if (box.dataset.state !== "done" && box.dataset.state !== "failed") window.setTimeout(() => window.location.reload(), 600);
  }
  if (box.dataset.kind === "build") {
    for (const failure of r.failed || []) {
      const p = document.createElement("p");
      p.className = "problem-box";
      const where = failure.line ? "第" + failure.line + "行" : "";
      p.textContent = failure.name + " " + where + "：" + failure.text + " ";
      const a = document.createElement("a");
      a.href = "/episodes/" + encodeURIComponent(failure.name) + "/edit" + (failure.line ? "#line-" + failure.line : "");
      a.textContent = "去改";
      p.appendChild(a);
      result.appendChild(p);
    }
    if (r.seconds !== undefined) {
      const p = document.createElement("p");
      p.textContent = "生成 " + (r.built || []).length + " 期，跳过 " + (r.skipped || []).length + " 期，失败 " + (r.failed || []).length + " 期，用时 " + r.seconds + " 秒。";
      result.appendChild(p);
    }
  }
}

function watchJobs() { document.querySelectorAll(".job[data-job]").forEach((box) => { if (!box.classList.contains("done") && !box.classList.contains("failed")) watchJob(box); }); }

document.addEventListener("DOMContentLoaded", () => { setupEditor(); watchJobs(); });
document.addEventListener("htmx:afterSettle", watchJobs);
