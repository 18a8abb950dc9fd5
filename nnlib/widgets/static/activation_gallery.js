// activation_gallery: f and f′ of the lecture's activations side by side, parameters on sliders.
// The curves come from activations.js (checked against nnlib by the tests); the probe's numbers come
// from Python's readout (nnlib) when the kernel computed them.

const GAL_PARAM_LABELS = { slope: "slope", alpha: "α", w1: "w₁", b1: "b₁", w2: "w₂", b2: "b₂" };

function galRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-activation-gallery" });
  el.append(root);
  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const choice = nnwChoice(controls, {
    label: "Activation",
    name: "activation",
    value: model.get("activation"),
    options: data.order.map((a) => ({ value: a, label: data.labels[a] })),
  });
  const paramBox = h("div", { class: "nnw-controls" });
  const probeBox = h("div", { class: "nnw-controls" });
  root.append(paramBox, probeBox);
  const probe = nnwSlider(probeBox, {
    label: "probe x",
    name: "x",
    min: data.x_range[0],
    max: data.x_range[1],
    step: 0.1,
    value: model.get("x"),
    format: (v) => fmt(v, 3),
  });

  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 245, "The activation f(x) and its derivative f′(x)");
  const left = new NnwAxes(figure, { x: 50, y: 22, w: 250, h: 180 }, data.x_range, [0, 1]);
  const right = new NnwAxes(figure, { x: 375, y: 22, w: 250, h: 180 }, data.x_range, [0, 1]);
  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const formula = h("div");
  const values = h("div");
  const note = h("div", { class: "nnw-verdict" });
  readout.append(formula, values, note);
  root.append(readout);

  let sliders = {};
  let shownParamsOf = null;

  function paramsOf(a) {
    const defaults = Object.fromEntries(Object.entries(data.parameters[a]).map(([p, s]) => [p, s[0]]));
    return { ...defaults, ...(model.get("params")[a] ?? {}) };
  }

  function buildParamSliders(a) {
    paramBox.replaceChildren();
    sliders = {};
    const params = paramsOf(a);
    for (const [p, [, min, max, step]] of Object.entries(data.parameters[a])) {
      const s = nnwSlider(paramBox, { label: GAL_PARAM_LABELS[p], name: p, min, max, step, value: params[p], format: (v) => fmt(v, 3) });
      s.onInput((v) => {
        const all = structuredClone(model.get("params"));
        all[a] = { ...paramsOf(a), [p]: v };
        model.set("params", all);
        nnwSave(model);
      });
      sliders[p] = s;
    }
    if (Object.keys(sliders).length === 0) paramBox.append(h("span", { class: "nnw-label", text: "no parameters" }));
    shownParamsOf = a;
  }

  function draw() {
    const a = model.get("activation");
    const x = model.get("x");
    const params = paramsOf(a);
    if (shownParamsOf !== a) buildParamSliders(a);
    for (const [p, s] of Object.entries(sliders)) s.set(params[p]);
    const act = NNW_ACTIVATIONS[a];
    const n = 201;
    const [lo, hi] = data.x_range;
    const xs = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const fs = xs.map((v) => act.f(v, params));
    const dfs = xs.map((v) => act.df(v, params));
    const pad = (ys) => {
      const min = Math.min(...ys, 0);
      const max = Math.max(...ys, 1);
      const m = 0.08 * (max - min);
      return [min - m, max + m];
    };
    left.ylim = pad(fs);
    right.ylim = pad(dfs);

    const r = model.get("readout");
    const fromKernel =
      r && r.activation === a && r.x === x && Object.entries(params).every(([p, v]) => r.params[p] === v);
    const f = fromKernel ? r.f : act.f(x, params);
    const df = fromKernel ? r.df : act.df(x, params);

    nnwClear(figure);
    left.frame({ xlabel: "x", title: `f(x), ${data.labels[a]}` });
    left.line(xs, fs, { color: NNW_COLORS.f });
    left.dot(x, f);
    right.frame({ xlabel: "x", title: `f′(x), ${data.labels[a]}` });
    right.line(xs, dfs, { color: NNW_COLORS.df });
    right.dot(x, df, { color: NNW_COLORS.df });

    formula.textContent = `${data.labels[a]}: f(x) = ${data.formulas[a]}`;
    values.textContent =
      `at x = ${fmt(x, 3)}:  f(x) = ${fmt(f)},  f′(x) = ${fmt(df)}, so ${pct(df)} of the ` +
      "upstream gradient gets through";
    note.textContent = data.notes[a];
    choice.set(a);
    probe.set(x);
    nnwPublish(root, { activation: a, params, x, f, df, source: fromKernel ? "python" : "browser" });
  }

  choice.onChange((a) => {
    model.set("activation", a);
    nnwSave(model);
  });
  probe.onInput((v) => {
    model.set("x", v);
    nnwSave(model);
  });
  for (const name of ["activation", "params", "x", "readout"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of ["activation", "params", "x", "readout"]) model.off(`change:${name}`, draw);
  };
}

export default { render: galRender };
