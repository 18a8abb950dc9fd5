// Copied into the site by nnbook/site_assets.py. Loaded after require.js and before the
// Jupyter widgets HTML manager (embed-amd.js) on pages that show widgets. Every module comes
// from this site: require.js resolves modules relative to this folder, anywidget is mapped to
// its local copy, and the manager's fonts are looked up next to it. The manager's "CDN" fallback
// (data-jupyter-widgets-cdn="npm/") resolves to this folder too, so no request leaves the site.
(function () {
  var here = document.currentScript.src;
  var base = here.slice(0, here.lastIndexOf("/") + 1);
  window.__jupyter_widgets_assets_path__ = base + "html-manager/";
  window.requirejs.config({
    baseUrl: base,
    paths: { anywidget: base + "anywidget/index" },
  });
})();
