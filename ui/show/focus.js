// What ui/show/focus.py says: the keyboard's focus kept through a rerun; a phone's menu folded after a page switch.
// Its SHA-256 is in the Content-Security-Policy (deploy/headers.py): an edit here needs no other change.
(() => {
  if (window.mnistFocus) return;  // once per tab: each rerun sends this element again
  window.mnistFocus = true;
  const doc = document, GIVE_UP = 15000;
  const CONTROLS = 'button, input, textarea, summary, [role="slider"], [role="combobox"]';
  let last = null, pointerAt = 0, path = location.pathname;
  const keyOf = el => [...(el.closest('[class*="st-key-"]')?.classList || [])].find(c => c.startsWith('st-key-')) || '';
  const nameOf = el => (el.getAttribute('aria-label') || el.innerText || '').trim();
  const twins = d => [...doc.querySelectorAll(d.tag)].filter(el => nameOf(el) === d.name && keyOf(el) === d.key);
  const usable = el => el && el.isConnected && !el.disabled && el.getAttribute('aria-disabled') !== 'true'
                       && el.getClientRects().length > 0;
  doc.addEventListener('pointerdown', () => { pointerAt = Date.now(); }, true);
  doc.addEventListener('focusin', e => {
    const el = e.target;
    const box = el.closest('[data-testid="stVerticalBlock"][class*="st-key-"]');
    const d = {el, tag: el.tagName, name: nameOf(el), key: keyOf(el), lost: 0, box: box ? keyOf(box) : '',
               row: el.closest('[data-testid="stHorizontalBlock"], [data-testid="stElementContainer"]')?.parentElement};
    d.nth = twins(d).indexOf(el);  // the third "Check" of a page is the third question's
    last = d;
  }, true);
  const restore = () => {
    if (!last || (doc.activeElement && doc.activeElement !== doc.body)) return;
    // Only a focus the page took away: not one moved on purpose, by a mouse, a finger, or a blur() of its own.
    if (Date.now() - pointerAt < 1000 || usable(last.el)) { last = null; return; }
    last.lost = last.lost || Date.now();
    if (Date.now() - last.lost > GIVE_UP) { last = null; return; }
    let target = twins(last)[last.nth];
    if (!usable(target) && last.row?.isConnected)  // disabled: the nearest control beside it
      target = [...last.row.querySelectorAll(CONTROLS)].find(usable);
    const box = !usable(target) && last.box && doc.querySelector('[data-testid="stVerticalBlock"].' + last.box);
    if (box) {  // gone (a question answered right): what took its place, its verdict first, for a screen reader
      target = box.querySelector('[data-testid="stAlert"]') || [...box.querySelectorAll(CONTROLS)].find(usable);
      if (target && !target.matches(CONTROLS)) target.tabIndex = -1;
    }
    if (target?.isConnected) target.focus({preventScroll: true});  // focusin then describes it
  };
  const fold = () => {
    if (location.pathname === path) return;
    path = location.pathname;
    const open = doc.querySelector('[data-testid="stSidebarCollapseButton"] button[aria-expanded="true"]');
    if (open && window.matchMedia('(max-width: 767.98px)').matches) open.click();  // as a click on the menu's own links does
  };
  new MutationObserver(() => { fold(); restore(); })
    .observe(doc.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['disabled']});
})();
