/* Boxes that scroll sideways (wide tables, figures on a phone) get the class rtw-scrolls while
   part of their content is hidden to the right, and the stylesheet fades their right edge. */
(() => {
  const mark = box => box.classList.toggle(
    'rtw-scrolls', box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
  const boxes = () => [...document.querySelectorAll('.rtw-scroll, .pst-scrollable-table-container')];
  const markAll = () => boxes().forEach(mark);
  document.addEventListener('DOMContentLoaded', () => {
    markAll();
    boxes().forEach(box => box.addEventListener('scroll', () => mark(box), { passive: true }));
    window.addEventListener('resize', markAll);
    window.addEventListener('load', markAll);
  });
})();
