/**
 * A few lines instead of a framework: elements are built with h(), text always goes in as text nodes (never as
 * HTML), so nothing a committente wrote in an attestation can run in a reviewer's browser.
 */
type Child = Node | string | number | null | undefined | false | Child[];
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A definition list from label/value pairs, skipping empty values. */
export function facts(pairs: [string, Child][]): HTMLDListElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}
