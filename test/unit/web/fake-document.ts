/**
 * Just enough of a DOM for the console's h() helpers (web/src/dom.ts) to build a view in the unit tier, where only
 * `node` runs: elements with attributes and children, text nodes, and a few queries to read the result back.
 */
export class FakeText {
  parentNode: FakeElement | null = null;
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

export class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly childNodes: (FakeElement | FakeText)[] = [];
  readonly listeners = new Map<string, unknown>();
  parentNode: FakeElement | null = null;
  constructor(readonly tagName: string) {}

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(type: string, listener: unknown): void {
    this.listeners.set(type, listener);
  }
  appendChild<T extends FakeElement | FakeText>(child: T): T {
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }
  replaceChildren(): void {
    this.childNodes.length = 0;
  }
  get children(): FakeElement[] {
    return this.childNodes.filter((c): c is FakeElement => c instanceof FakeElement);
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  /** Every descendant element that matches, in document order. */
  all(match: (e: FakeElement) => boolean): FakeElement[] {
    return this.children.flatMap((c) => [...(match(c) ? [c] : []), ...c.all(match)]);
  }
  /** By tag, optionally with attribute values (a class is matched as one of the element's classes). */
  find(tag: string, attributes: Record<string, string> = {}): FakeElement[] {
    return this.all(
      (e) =>
        e.tagName === tag &&
        Object.entries(attributes).every(([name, value]) =>
          name === 'class' ? (e.getAttribute('class') ?? '').split(/\s+/).includes(value) : e.getAttribute(name) === value,
        ),
    );
  }
}

export const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (text: string) => new FakeText(text),
};
