/**
 * Walking a chart depth-first without recursion, and a string sink for large outputs.
 */
import type { OrgChart, OrgChartNode } from './build.js';

/** Pre-order walk (roots in order, each person before their reports). Calls `enter`/`leave` for every node. */
/** @internal Depth-first walk of the chart (shared with the HTML renderer). */
export function walk(
  chart: OrgChart,
  enter: (node: OrgChartNode, index: number) => void,
  leave?: (node: OrgChartNode, index: number) => void,
): void {
  // Parallel arrays instead of one object per level: a million-deep chain allocates almost nothing.
  const stackNode: OrgChartNode[] = [];
  const stackNext: number[] = [];
  const stackIndex: number[] = [];
  for (let r = 0; r < chart.roots.length; r++) {
    const root = chart.nodes.get(chart.roots[r]!);
    if (!root) continue;
    enter(root, r);
    stackNode.push(root);
    stackNext.push(0);
    stackIndex.push(r);
    while (stackNode.length) {
      const top = stackNode.length - 1;
      const node = stackNode[top]!;
      const next = stackNext[top]!;
      if (next < node.directReports.length) {
        stackNext[top] = next + 1;
        const child = chart.nodes.get(node.directReports[next]!);
        if (!child) continue;
        enter(child, next);
        stackNode.push(child);
        stackNext.push(0);
        stackIndex.push(next);
      } else {
        stackNode.pop();
        stackNext.pop();
        const index = stackIndex.pop()!;
        leave?.(node, index);
      }
    }
  }
}

/**
 * Collects output in flat chunks: millions of small pieces are joined every few thousand, so they
 * do not stay alive as millions of separate strings until the end (which made GC dominate).
 */
/** @internal */
export class Sink {
  private parts: string[] = [];
  private readonly chunks: string[] = [];

  push(text: string): void {
    this.parts.push(text);
    if (this.parts.length >= 4096) this.flush();
  }

  /** Append text followed by a newline. */
  line(text: string): void {
    this.push(text);
    this.push('\n');
  }

  private flush(): void {
    if (this.parts.length) this.chunks.push(this.parts.join(''));
    this.parts = [];
  }

  toString(): string {
    this.flush();
    return this.chunks.join('');
  }
}
