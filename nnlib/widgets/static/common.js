// Shared helpers of the nnlib.widgets front ends: DOM controls and a small canvas plotter.
// Plain JavaScript without imports, so that the same module runs in Jupyter (with a kernel) and in
// the static book (no kernel): the widget's Python side prepends this file to each widget's code.

const NNW_COLORS = {
  f: "#1f63b4",
  df: "#d9480f",
  point: "#111111",
  tangent: "#2b8a3e",
  grid: "#e9ecef",
  axis: "#495057",
  faint: "#adb5bd",
  red: "#d62728",
  blue: "#1f63b4",
  good: "#2b8a3e",
  bad: "#c92a2a",
};

let nnwCount = 0;

/** A unique element id, for <label for=...>. */
function nnwId(prefix) {
  nnwCount += 1;
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}-${nnwCount}`;
}

/** Create an element: h("div", {class: "a", text: "b"}, child, ...). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const NNW_SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** Format a number for reading: 4 significant digits, powers of ten for tiny or huge values. */
function fmt(value, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (value === 0) return "0";
  const a = Math.abs(value);
  let text;
  if (a >= 1e-3 && a < 1e5) {
    text = String(Number(value.toPrecision(digits)));
  } else {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    const sup = String(Number(exponent))
      .split("")
      .map((c) => NNW_SUPERSCRIPT[c])
      .join("");
    text = `${Number(mantissa)} × 10${sup}`;
  }
  return text.replace(/^-/, "−");
}

/** Format a fraction as a percentage. */
function pct(value) {
  if (value === 0) return "0 %";
  const p = 100 * value;
  return `${Math.abs(p) >= 0.01 ? Number(p.toPrecision(3)) : fmt(p, 2)} %`.replace(/^-/, "−");
}

/** A labelled range slider (keyboard operable) with its value as text. */
function nnwSlider(parent, { label, min, max, step, value, format = fmt, name }) {
  const id = nnwId("nnw-slider");
  const input = h("input", { type: "range", id, min, max, step, value, "data-control": name });
  const output = h("output", { for: id, class: "nnw-value" });
  parent.append(h("div", { class: "nnw-control" }, h("label", { for: id, text: label }), input, output));
  const show = () => {
    output.textContent = format(Number(input.value));
    input.setAttribute("aria-valuetext", output.textContent);
  };
  show();
  return {
    input,
    get value() {
      return Number(input.value);
    },
    set(v) {
      input.value = v;
      show();
    },
    onInput(callback) {
      input.addEventListener("input", () => {
        show();
        callback(Number(input.value));
      });
    },
  };
}

/** A labelled group of toggle buttons, one pressed at a time (click, Enter or Space). */
function nnwChoice(parent, { label, options, value, name }) {
  const group = h("div", { class: "nnw-control nnw-choice", role: "group", "aria-label": label });
  group.append(h("span", { class: "nnw-label", text: label }));
  const buttons = new Map();
  let callback = () => {};
  for (const option of options) {
    const button = h("button", { type: "button", "data-control": name, "data-value": option.value });
    button.innerHTML = option.html ?? "";
    if (!option.html) button.textContent = option.label;
    button.addEventListener("click", () => callback(option.value));
    buttons.set(String(option.value), button);
    group.append(button);
  }
  parent.append(group);
  const set = (v) => {
    for (const [key, button] of buttons) button.setAttribute("aria-pressed", String(key === String(v)));
  };
  set(value);
  return {
    set,
    onChange(fn) {
      callback = fn;
    },
  };
}

/** A canvas sized for the screen's pixel ratio, described for screen readers. */
function nnwCanvas(parent, width, height, label) {
  const canvas = h("canvas", { role: "img", "aria-label": label, class: "nnw-canvas" });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  // Full size when the column allows it, scaled down (same aspect) in a narrower one.
  canvas.style.width = "100%";
  canvas.style.maxWidth = `${width}px`;
  canvas.style.height = "auto";
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  parent.append(canvas);
  return { canvas, ctx, width, height };
}

/** Round tick positions covering [lo, hi]. */
function nnwTicks(lo, hi, count = 5) {
  const span = hi - lo;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= count) ?? 10 * power;
  const ticks = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
    ticks.push(Math.abs(t) < 1e-12 * step ? 0 : t);
  }
  return ticks;
}

/** A rectangle of a canvas with data coordinates: axes, ticks, lines, points, text. */
class NnwAxes {
  constructor(figure, box, xlim, ylim) {
    this.ctx = figure.ctx;
    this.box = box;
    this.xlim = xlim;
    this.ylim = ylim;
  }

  sx(x) {
    const [a, b] = this.xlim;
    return this.box.x + ((x - a) / (b - a)) * this.box.w;
  }

  sy(y) {
    const [a, b] = this.ylim;
    return this.box.y + this.box.h - ((y - a) / (b - a)) * this.box.h;
  }

  /** Background, grid, zero lines, ticks and axis labels. */
  frame({ xlabel = "", ylabel = "", title = "", xticks = null, yticks = null } = {}) {
    const { ctx, box } = this;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(box.x, box.y, box.w, box.h);
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.fillStyle = NNW_COLORS.axis;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of xticks ?? nnwTicks(...this.xlim)) {
      const px = this.sx(t);
      ctx.strokeStyle = NNW_COLORS.grid;
      this.rawLine(px, box.y, px, box.y + box.h);
      ctx.fillText(fmt(t, 3), px, box.y + box.h + 3);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of yticks ?? nnwTicks(...this.ylim, 4)) {
      const py = this.sy(t);
      ctx.strokeStyle = NNW_COLORS.grid;
      this.rawLine(box.x, py, box.x + box.w, py);
      ctx.fillText(fmt(t, 3), box.x - 4, py);
    }
    ctx.strokeStyle = NNW_COLORS.faint;
    if (this.xlim[0] < 0 && this.xlim[1] > 0) this.rawLine(this.sx(0), box.y, this.sx(0), box.y + box.h);
    if (this.ylim[0] < 0 && this.ylim[1] > 0) this.rawLine(box.x, this.sy(0), box.x + box.w, this.sy(0));
    ctx.strokeStyle = NNW_COLORS.axis;
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.font = "12px system-ui, sans-serif";
    if (xlabel) ctx.fillText(xlabel, box.x + box.w / 2, box.y + box.h + 30);
    if (title) {
      ctx.font = "bold 13px system-ui, sans-serif";
      ctx.fillText(title, box.x + box.w / 2, box.y - 6);
    }
    if (ylabel) {
      ctx.font = "12px system-ui, sans-serif";
      ctx.translate(box.x - 38, box.y + box.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(ylabel, 0, 0);
    }
    ctx.restore();
  }

  rawLine(x0, y0, x1, y1) {
    const { ctx } = this;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  }

  /** Run draw() clipped to the plotting box. */
  clipped(draw) {
    const { ctx, box } = this;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    draw();
    ctx.restore();
  }

  line(xs, ys, { color = NNW_COLORS.f, width = 2, dash = [] } = {}) {
    this.clipped(() => {
      const { ctx } = this;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      for (let i = 0; i < xs.length; i++) {
        const px = this.sx(xs[i]);
        const py = this.sy(ys[i]);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
    });
  }

  dot(x, y, { color = NNW_COLORS.point, radius = 5, stroke = "#ffffff" } = {}) {
    this.clipped(() => {
      const { ctx } = this;
      ctx.beginPath();
      ctx.arc(this.sx(x), this.sy(y), radius, 0, 2 * Math.PI);
      ctx.fillStyle = color;
      ctx.fill();
      if (stroke) {
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = stroke;
        ctx.stroke();
      }
    });
  }

  text(x, y, text, { color = NNW_COLORS.axis, align = "left", baseline = "bottom", font = "12px system-ui, sans-serif" } = {}) {
    const { ctx } = this;
    ctx.save();
    ctx.font = font;
    ctx.fillStyle = color;
    ctx.textAlign = align;
    ctx.textBaseline = baseline;
    ctx.fillText(text, this.sx(x), this.sy(y));
    ctx.restore();
  }
}

/** Clear a whole canvas to white. */
function nnwClear(figure) {
  figure.ctx.fillStyle = "#ffffff";
  figure.ctx.fillRect(0, 0, figure.width, figure.height);
}

/** Index of the grid point nearest to x on a uniform grid. */
function nnwNearest(grid, x) {
  const step = (grid[grid.length - 1] - grid[0]) / (grid.length - 1);
  return Math.max(0, Math.min(grid.length - 1, Math.round((x - grid[0]) / step)));
}

/** Linear interpolation of ys (given on the uniform grid xs) at x. */
function nnwInterp(xs, ys, x) {
  const n = xs.length;
  const step = (xs[n - 1] - xs[0]) / (n - 1);
  const t = (x - xs[0]) / step;
  const i = Math.max(0, Math.min(n - 2, Math.floor(t)));
  const frac = Math.max(0, Math.min(1, t - i));
  return ys[i] + frac * (ys[i + 1] - ys[i]);
}

/** Tell the kernel (if there is one) about a change; in the static book there is none. */
function nnwSave(model) {
  try {
    model.save_changes();
  } catch (error) {
    // No kernel behind the page: the front end alone keeps the widget live.
  }
}

/** Expose the numbers the widget shows, for tests and for assistive tools. */
function nnwPublish(root, shown) {
  root.dataset.shown = JSON.stringify(shown);
}
