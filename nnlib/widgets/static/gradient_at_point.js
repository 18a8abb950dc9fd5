// gradient_at_point: f and f′ of sigmoid / tanh / ReLU, the tangent at x, and the gradient that gets
// through. All numbers come from nnlib: f and f′ on the grid (data), or Python's readout when the
// kernel computed the current point.

const GAP_DERIVATIVE = {
  sigmoid: "σ(x)(1 − σ(x))",
  tanh: "1 − tanh²(x)",
  relu: "1 if x > 0, else 0",
};
const GAP_SYMBOL = { sigmoid: "σ", tanh: "tanh", relu: "ReLU" };

function gapVerdict(df) {
  const a = Math.abs(df);
  if (a === 0) return ["No gradient gets through: the unit passes nothing back.", NNW_COLORS.bad];
  if (a < 0.01) return ["Saturated: the gradient is killed.", NNW_COLORS.bad];
  if (a < 0.5) return ["Damped: most of the gradient is lost here.", "#e67700"];
  return ["The gradient flows.", NNW_COLORS.good];
}

function gapBar(parent, label) {
  const fill = h("div", { class: "nnw-fill" });
  const value = h("span", { class: "nnw-value" });
  parent.append(h("span", { text: label }), h("div", { class: "nnw-track" }, fill), value);
  return { fill, value };
}

function gapRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-gradient-at-point" });
  el.append(root);

  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const activation = nnwChoice(controls, {
    label: "Activation",
    name: "activation",
    value: model.get("activation"),
    options: data.activations.map((a) => ({ value: a, label: data.labels[a] })),
  });
  const jump = nnwChoice(controls, {
    label: "Lecture's points",
    name: "point",
    value: model.get("x"),
    options: data.points.map((p) => ({ value: p, label: `x = ${fmt(p)}` })),
  });
  const controls2 = h("div", { class: "nnw-controls" });
  root.append(controls2);
  const xSlider = nnwSlider(controls2, {
    label: "x",
    name: "x",
    min: data.grid[0],
    max: data.grid[data.grid.length - 1],
    step: data.step,
    value: model.get("x"),
    format: (v) => fmt(v, 3),
  });
  const upSlider = nnwSlider(controls2, {
    label: "upstream gradient ∂L/∂f",
    name: "upstream",
    min: -2,
    max: 2,
    step: 0.1,
    value: model.get("upstream"),
    format: (v) => fmt(v, 3),
  });

  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 245, "The activation with its tangent at x, and its derivative");
  const left = new NnwAxes(figure, { x: 50, y: 22, w: 250, h: 180 }, [-10.5, 10.5], [0, 1]);
  const right = new NnwAxes(figure, { x: 375, y: 22, w: 250, h: 180 }, [-10.5, 10.5], [0, 1]);

  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const lineF = h("div");
  const lineDf = h("div");
  const lineBack = h("div");
  const verdict = h("div", { class: "nnw-verdict" });
  const lineAll = h("div");
  readout.append(lineF, lineDf, lineBack, verdict, lineAll);
  const bars = h("div", { class: "nnw-bar" });
  const barUp = gapBar(bars, "upstream ∂L/∂f");
  const barPassed = gapBar(bars, "gets through ∂L/∂x");
  const barLog = gapBar(bars, "fraction (log scale)");
  root.append(readout, bars);

  function shownNumbers() {
    const a = model.get("activation");
    const x = model.get("x");
    const upstream = model.get("upstream");
    const r = model.get("readout");
    if (r && r.activation === a && r.x === x && r.upstream === upstream) {
      return { a, x, upstream, f: r.f, df: r.df, source: "python" };
    }
    const curve = data.curves[a];
    const i = nnwNearest(data.grid, x);
    if (Math.abs(data.grid[i] - x) < 1e-9) {
      return { a, x, upstream, f: curve.f[i], df: curve.df[i], source: "grid" };
    }
    const f = nnwInterp(data.grid, curve.f, x);
    const df = nnwInterp(data.grid, curve.df, x);
    return { a, x, upstream, f, df, source: "interpolated" };
  }

  function draw() {
    const { a, x, upstream, f, df, source } = shownNumbers();
    const curve = data.curves[a];
    const sym = GAP_SYMBOL[a];
    const passed = df * upstream;
    const half = data.tangent_half_width;
    const tangent = [x - half, f - df * half, x + half, f + df * half];

    nnwClear(figure);
    left.ylim = data.ylim[a];
    right.ylim = data.dylim[a];
    left.frame({ xlabel: "x", title: `f(x) = ${sym}(x) and its tangent at x` });
    left.line(data.grid, curve.f, { color: NNW_COLORS.f });
    left.line([tangent[0], tangent[2]], [tangent[1], tangent[3]], { color: NNW_COLORS.tangent, width: 2, dash: [6, 4] });
    left.dot(x, f, { color: NNW_COLORS.point });
    right.frame({ xlabel: "x", title: `local gradient f′(x) = ${GAP_DERIVATIVE[a]}` });
    right.line(data.grid, curve.df, { color: NNW_COLORS.df });
    right.line([x, x], [right.ylim[0], df], { color: NNW_COLORS.faint, width: 1, dash: [3, 3] });
    right.dot(x, df, { color: NNW_COLORS.df });
    const high = df > (right.ylim[0] + right.ylim[1]) / 2;
    right.text(x, df, ` f′ = ${fmt(df, 3)} `, { align: x > 4 ? "right" : "left", baseline: high ? "top" : "bottom" });

    lineF.textContent = `x = ${fmt(x, 3)}  ·  f(x) = ${sym}(${fmt(x, 3)}) = ${fmt(f, 6)}`;
    lineDf.textContent = `f′(x) = ${GAP_DERIVATIVE[a]} = ${fmt(df)}  (the slope of the tangent)`;
    lineBack.textContent =
      `backward: ∂L/∂x = f′(x) × ∂L/∂f = ${fmt(df)} × ${fmt(upstream, 3)} = ${fmt(passed)}` +
      `  (${pct(df)} of the upstream gradient gets through)`;
    const [text, color] = gapVerdict(df);
    verdict.textContent = text + (a === "relu" && x === 0 ? " (convention: relu′(0) = 0)" : "");
    verdict.style.color = color;

    const widthOf = (v) => `${Math.min(100, (100 * Math.abs(v)) / 2)}%`;
    barUp.fill.style.width = widthOf(upstream);
    barUp.fill.style.background = upstream >= 0 ? NNW_COLORS.f : NNW_COLORS.df;
    barUp.value.textContent = fmt(upstream, 3);
    barPassed.fill.style.width = widthOf(passed);
    barPassed.fill.style.background = passed >= 0 ? NNW_COLORS.f : NNW_COLORS.df;
    barPassed.value.textContent = fmt(passed);
    // log10 |f′| from 10⁻¹⁰ (empty) to 10⁰ (full): a gradient of 4.5 × 10⁻⁵ stays visible.
    const logFraction = Math.abs(df) > 0 ? Math.log10(Math.abs(df)) : -Infinity;
    barLog.fill.style.width = `${Math.max(0, Math.min(100, (100 * (logFraction + 10)) / 10))}%`;
    barLog.fill.style.background = NNW_COLORS.tangent;
    barLog.value.textContent = Math.abs(df) > 0 ? `log₁₀|f′| = ${fmt(logFraction, 3)}` : "0 (nothing)";

    // The lecture's question for all three at once: the local gradient of each at this x.
    const others = data.activations.map((name) => {
      const c = data.curves[name];
      const i = nnwNearest(data.grid, x);
      const value = Math.abs(data.grid[i] - x) < 1e-9 ? c.df[i] : nnwInterp(data.grid, c.df, x);
      return `${GAP_SYMBOL[name]}′(${fmt(x, 3)}) = ${fmt(value, 3)}`;
    });
    lineAll.textContent = `all three at this x: ${others.join(",  ")}`;

    activation.set(a);
    jump.set(x);
    xSlider.set(x);
    upSlider.set(upstream);
    nnwPublish(root, { activation: a, x, upstream, f, df, passed, tangent, source });
  }

  activation.onChange((a) => {
    model.set("activation", a);
    nnwSave(model);
  });
  jump.onChange((p) => {
    model.set("x", Number(p));
    nnwSave(model);
  });
  xSlider.onInput((v) => {
    model.set("x", v);
    nnwSave(model);
  });
  upSlider.onInput((v) => {
    model.set("upstream", v);
    nnwSave(model);
  });
  for (const name of ["activation", "x", "upstream", "readout"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of ["activation", "x", "upstream", "readout"]) model.off(`change:${name}`, draw);
  };
}

export default { render: gapRender };
