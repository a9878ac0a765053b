// Progressive enhancement only: the report reads fine with scripts off.
(function () {
  var box = document.getElementById('toggle-boiler');
  if (box) {
    box.addEventListener('change', function () {
      document.body.classList.toggle('hide-boiler', box.checked);
    });
  }
  function clear() {
    document.querySelectorAll('.hl, .hl-x').forEach(function (el) { el.classList.remove('hl', 'hl-x'); });
  }
  function mark(ref, cls) {
    var first = null;
    document.querySelectorAll('[data-refs]').forEach(function (el) {
      if (el.getAttribute('data-refs').split(' ').indexOf(ref) >= 0) {
        el.classList.add(cls);
        if (!first) { first = el; }
      }
    });
    return first;
  }
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest('button[data-ref]');
    if (!btn) { return; }
    clear();
    var first = mark(btn.getAttribute('data-ref'), 'hl');
    var xref = btn.getAttribute('data-xref');
    var firstX = xref ? mark(xref, 'hl-x') : null;
    var panel = btn.getAttribute('aria-controls') && document.getElementById(btn.getAttribute('aria-controls'));
    if (panel) {
      var open = panel.hasAttribute('hidden');
      panel.hidden = !open;
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
      return;
    }
    var target = first || firstX;
    if (target) { target.scrollIntoView({block: 'center'}); }
  });
})();
