// zero_centered_explorer: SGD paths of two weights with all-positive vs zero-mean inputs (nnlib data).

function zcSign(v) {
  return v > 0 ? "+" : v < 0 ? "−" : "0";
}

function zcShadeQuadrants(ax, cx, cy, color) {
  // Quadrants I and III around (cx, cy): the directions a same-sign update can take.
  const [x0, x1] = ax.xlim;
  const [y0, y1] = ax.ylim;
  ax.clipped(() => {
    const { ctx } = ax;
    ctx.fillStyle = color;
    ctx.fillRect(ax.sx(cx), ax.sy(y1), ax.sx(x1) - ax.sx(cx), ax.sy(cy) - ax.sy(y1));
    ctx.fillRect(ax.sx(x0), ax.sy(cy), ax.sx(cx) - ax.sx(x0), ax.sy(y0) - ax.sy(cy));
  });
}

function zcRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-zero-centered-explorer" });
  el.append(root);
  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const kindChoice = nnwChoice(controls, {
    label: "Inputs x",
    name: "kind",
    value: model.get("kind"),
    options: [
      { value: "positive", label: "all positive" },
      { value: "zero-mean", label: "zero-mean" },
    ],
  });
  const targetChoice = nnwChoice(controls, {
    label: "Target w*",
    name: "angle",
    value: model.get("angle"),
    options: data.angles.map((a, i) => ({ value: a, label: `(${fmt(data.targets[i][0], 2)}, ${fmt(data.targets[i][1], 2)})` })),
  });
  const controls2 = h("div", { class: "nnw-controls" });
  root.append(controls2);
  const stepSlider = nnwSlider(controls2, {
    label: "SGD step",
    name: "step",
    min: 0,
    max: data.steps,
    step: 1,
    value: model.get("step"),
    format: (v) => String(v),
  });

  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 265, "The path of the two weights toward the target, and the gradients");
  const plane = new NnwAxes(figure, { x: 50, y: 22, w: 200, h: 200 }, [-2.5, 2.5], [-2.5, 2.5]);
  const grads = new NnwAxes(figure, { x: 385, y: 22, w: 200, h: 200 }, [-1, 1], [-1, 1]);
  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const line1 = h("div");
  const line2 = h("div");
  const line3 = h("div", { class: "nnw-verdict" });
  readout.append(line1, line2, line3);
  root.append(readout);

  function draw() {
    const angle = model.get("angle");
    const kind = model.get("kind");
    const k = model.get("step");
    const run = data.runs[`${angle}|${kind}`];
    const target = data.targets[data.angles.indexOf(angle)];
    const px = (i) => run.path[2 * i];
    const py = (i) => run.path[2 * i + 1];
    const w = [px(k), py(k)];

    nnwClear(figure);
    plane.frame({ xlabel: "w₁", ylabel: "w₂", title: "weights (w₁, w₂) during SGD" });
    if (kind === "positive") zcShadeQuadrants(plane, w[0], w[1], "rgba(43, 138, 62, 0.13)");
    const xs = [];
    const ys = [];
    for (let i = 0; i <= k; i++) {
      xs.push(px(i));
      ys.push(py(i));
    }
    plane.line(xs, ys, { color: NNW_COLORS.f, width: 1.8 });
    for (let i = 0; i <= k; i++) plane.dot(px(i), py(i), { color: NNW_COLORS.f, radius: 2, stroke: null });
    plane.text(target[0], target[1], "★", { color: NNW_COLORS.df, align: "center", baseline: "middle", font: "20px system-ui, sans-serif" });
    plane.text(target[0], target[1] + 0.25, "w*", { color: NNW_COLORS.df, align: "center" });
    plane.dot(w[0], w[1], { color: NNW_COLORS.point, radius: 5 });

    grads.frame({ xlabel: "∂L/∂w₁ (scaled)", ylabel: "∂L/∂w₂ (scaled)", title: "gradient of each step", xticks: [-1, 0, 1], yticks: [-1, 0, 1] });
    zcShadeQuadrants(grads, 0, 0, "rgba(43, 138, 62, 0.13)");
    let scale = 1e-12;
    for (let i = 0; i < data.steps; i++) scale = Math.max(scale, Math.abs(run.grad[2 * i]), Math.abs(run.grad[2 * i + 1]));
    let same = 0;
    let counted = 0;
    for (let i = 0; i < k; i++) {
      const g1 = run.grad[2 * i];
      const g2 = run.grad[2 * i + 1];
      grads.dot(g1 / scale, g2 / scale, { color: i === k - 1 ? NNW_COLORS.point : NNW_COLORS.faint, radius: i === k - 1 ? 5 : 3, stroke: null });
      if (g1 !== 0 && g2 !== 0) {
        counted += 1;
        if (Math.sign(g1) === Math.sign(g2)) same += 1;
      }
    }

    const distance = Math.hypot(w[0] - target[0], w[1] - target[1]);
    line1.textContent = `step ${k}: w = (${fmt(w[0], 3)}, ${fmt(w[1], 3)}), distance to w* = ${fmt(distance, 3)}`;
    if (k > 0) {
      const g1 = run.grad[2 * (k - 1)];
      const g2 = run.grad[2 * (k - 1) + 1];
      line2.textContent =
        `last gradient ∂L/∂w = (${fmt(g1, 3)}, ${fmt(g2, 3)}): signs (${zcSign(g1)}, ${zcSign(g2)}); ` +
        `update −${fmt(data.lr)} × ∂L/∂w`;
    } else {
      line2.textContent = "w starts at (0, 0); move the step slider.";
    }
    const share = counted ? same / counted : null;
    line3.textContent =
      (share === null ? "" : `${same} of ${counted} gradients so far have components of one sign (${pct(share)}). `) +
      (kind === "positive"
        ? "All inputs positive: every update points into the green quadrants, so the path zig-zags."
        : "Zero-mean inputs: updates can point anywhere, so the path heads for w*.");
    line3.style.color = kind === "positive" ? NNW_COLORS.bad : NNW_COLORS.good;
    kindChoice.set(kind);
    targetChoice.set(angle);
    stepSlider.set(k);
    nnwPublish(root, { angle, kind, step: k, w, same_sign_share: share, distance });
  }

  kindChoice.onChange((v) => {
    model.set("kind", v);
    nnwSave(model);
  });
  targetChoice.onChange((v) => {
    model.set("angle", Number(v));
    nnwSave(model);
  });
  stepSlider.onInput((v) => {
    model.set("step", v);
    nnwSave(model);
  });
  for (const name of ["angle", "kind", "step"]) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of ["angle", "kind", "step"]) model.off(`change:${name}`, draw);
  };
}

export default { render: zcRender };
