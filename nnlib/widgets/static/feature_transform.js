// feature_transform_explorer: the red/blue points in (x, y) and in (r, θ) with their best linear
// boundaries (trained by nnlib), and the reader's threshold r = r₀: a line in (r, θ), a circle in (x, y).

function ftLine(ax, a, c, style) {
  // The line a·f + c = 0 across the axes' box.
  const [x0, x1] = ax.xlim;
  const [y0, y1] = ax.ylim;
  if (Math.abs(a[1]) > Math.abs(a[0])) {
    ax.line([x0, x1], [-(c + a[0] * x0) / a[1], -(c + a[0] * x1) / a[1]], style);
  } else {
    ax.line([-(c + a[1] * y0) / a[0], -(c + a[1] * y1) / a[0]], [y0, y1], style);
  }
}

function ftRender({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "nnw nnw-feature-transform-explorer" });
  el.append(root);
  const controls = h("div", { class: "nnw-controls" });
  root.append(controls);
  const r0Slider = nnwSlider(controls, {
    label: "your boundary r = r₀",
    name: "r0",
    min: data.r0_range[0],
    max: data.r0_range[1],
    step: 0.05,
    value: model.get("r0"),
    format: (v) => fmt(v, 3),
  });
  const figures = h("div", { class: "nnw-figures" });
  root.append(figures);
  const figure = nnwCanvas(figures, 640, 290, "The points in (x, y) and in (r, θ) with linear boundaries");
  const left = new NnwAxes(figure, { x: 45, y: 22, w: 230, h: 230 }, [-2.7, 2.7], [-2.7, 2.7]);
  const right = new NnwAxes(figure, { x: 380, y: 22, w: 230, h: 230 }, [0, 2.7], [-Math.PI, Math.PI]);
  const readout = h("div", { class: "nnw-readout", "aria-live": "polite" });
  const line1 = h("div");
  const line2 = h("div");
  const line3 = h("div", { class: "nnw-verdict" });
  readout.append(line1, line2, line3);
  root.append(readout);
  const n = data.y.length;

  function draw() {
    const r0 = model.get("r0");
    let correct = 0;
    for (let i = 0; i < n; i++) if ((data.rt[2 * i] > r0 ? 1 : 0) === data.y[i]) correct += 1;
    const accuracy = correct / n;
    const best = data.best;

    nnwClear(figure);
    left.frame({ xlabel: "x", ylabel: "y", title: "input space (x, y)" });
    right.frame({ xlabel: "r", ylabel: "θ", title: "feature space (r, θ)", yticks: [-3, -2, -1, 0, 1, 2, 3] });
    for (let i = 0; i < n; i++) {
      const color = data.y[i] === 1 ? NNW_COLORS.blue : NNW_COLORS.red;
      left.dot(data.xy[2 * i], data.xy[2 * i + 1], { color, radius: 3, stroke: null });
      right.dot(data.rt[2 * i], data.rt[2 * i + 1], { color, radius: 3, stroke: null });
    }
    const dashed = { color: "#212529", width: 1.5, dash: [6, 4] };
    ftLine(left, best.xy.a, best.xy.c, dashed);
    ftLine(right, best.rt.a, best.rt.c, dashed);
    // The best (r, θ) line seen in (x, y): r(θ) = −(a₁θ + c)/a₀, a closed curve.
    const thetas = Array.from({ length: 181 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 180);
    const radii = thetas.map((t) => -(best.rt.a[1] * t + best.rt.c) / best.rt.a[0]);
    left.line(thetas.map((t, i) => radii[i] * Math.cos(t)), thetas.map((t, i) => radii[i] * Math.sin(t)), {
      color: "#868e96",
      width: 1.5,
      dash: [2, 3],
    });
    const mine = { color: NNW_COLORS.tangent, width: 2.5 };
    right.line([r0, r0], right.ylim, mine);
    left.line(thetas.map((t) => r0 * Math.cos(t)), thetas.map((t) => r0 * Math.sin(t)), mine);

    line1.textContent =
      `best linear boundary (dashed, trained by nnlib): in (x, y) accuracy ${pct(best.xy.accuracy)}; ` +
      `in (r, θ) accuracy ${pct(best.rt.accuracy)}`;
    line2.textContent = `your boundary r = ${fmt(r0, 3)} (green): a line in (r, θ), a circle in (x, y); accuracy ${pct(accuracy)}`;
    line3.textContent =
      accuracy === 1
        ? "Every point is on its side: after the transform a line separates the classes."
        : `${n - correct} of ${n} points are on the wrong side.`;
    line3.style.color = accuracy === 1 ? NNW_COLORS.good : NNW_COLORS.bad;
    r0Slider.set(r0);
    nnwPublish(root, { r0, accuracy, best_xy: best.xy.accuracy, best_rt: best.rt.accuracy });
  }

  r0Slider.onInput((v) => {
    model.set("r0", v);
    nnwSave(model);
  });
  model.on("change:r0", draw);
  draw();
  return () => model.off("change:r0", draw);
}

export default { render: ftRender };
