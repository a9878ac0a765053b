// Progressive enhancement only: the report reads fine with scripts off.
(function () {
  var box = document.getElementById('toggle-boiler');
  if (box) {
    box.addEventListener('change', function () {
      document.body.classList.toggle('hide-boiler', box.checked);
    });
  }
})();
