export interface FenceBreach {
  rule: 'provider' | 'test-src' | 'nock' | 'cycle' | 'stale-exception'
  file: string
  message: string
}
export function importsOf(text: string): Array<{ specifier: string; kind: 'static' | 'type' | 'dynamic' }>
export function checkFences(root: string, files: string[], allow?: Array<{ rule: string; file: string }>): FenceBreach[]
export function cyclesOf(graph: Map<string, string[]>): string[][]
