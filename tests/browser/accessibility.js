// WCAG 2.1 AA, measured over what Chromium computed: each visible element with text of its own
// against the background its ancestors paint (alpha composed; a background picture is skipped),
// and each visible form control that needs a label. Returns the problems found.
() => {
  // WCAG 2.1 relative luminance and contrast, over the colours Chromium computed.
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, below) => {
    const a = top.a + below.a * (1 - top.a);
    if (a === 0) return { r: 255, g: 255, b: 255, a: 0 };
    const mix = (x, y) => (x * top.a + y * below.a * (1 - top.a)) / a;
    return { r: mix(top.r, below.r), g: mix(top.g, below.g), b: mix(top.b, below.b), a };
  };
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const ratio = (x, y) => { const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
  const background = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null; // a picture or gradient: not measurable here
      const colour = parse(style.backgroundColor);
      if (colour && colour.a > 0) { layers.push(colour); if (colour.a >= 1) break; }
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const visible = (element) => {
    const style = getComputedStyle(element);
    if (style.visibility !== "visible" || Number(style.opacity) === 0) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && !element.closest("[aria-hidden=true], .visually-hidden, .sr-only");
  };
  const problems = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(element) || ["SCRIPT", "STYLE", "NOSCRIPT", "OPTION"].includes(element.tagName)) continue;
    const style = getComputedStyle(element);
    const bg = background(element);
    const fg = parse(style.color);
    if (!bg || !fg) continue;
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    const measured = ratio(over(fg, bg), bg);
    if (measured + 1e-6 < needed) {
      problems.push({ kind: "contrast", text: element.textContent.trim().slice(0, 40), tag: element.tagName, cls: element.className.toString().slice(0, 40), ratio: Math.round(measured * 100) / 100, needed, color: style.color, background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})` });
    }
  }
  for (const control of document.querySelectorAll("input, select, textarea")) {
    const type = (control.getAttribute("type") || "text").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type) || !visible(control)) continue;
    const named = control.labels.length || control.getAttribute("aria-label") || control.getAttribute("aria-labelledby") || control.getAttribute("title");
    if (!named) problems.push({ kind: "unlabelled", tag: control.tagName, name: control.name, id: control.id });
  }
  return problems;
}
