import type { PublishEvent } from '@datapub/core'
import { describe, expect, it } from 'vitest'
import { createEventRenderer } from '../src/render/create-event-renderer.js'
import type { CliIO } from '../src/cli-command.js'

function terminal(isTTY = true) {
  const err: string[] = []
  const io = { stdout: () => {}, stderr: (t: string) => void err.push(t), json: false, isTTY, env: {}, cwd: '/', signal: new AbortController().signal } as CliIO
  const renderer = createEventRenderer(io)
  const feed = (events: Array<Partial<PublishEvent> & { type: PublishEvent['type'] }>) => {
    for (const e of events) renderer.onEvent({ elapsedMs: 0, ...e } as PublishEvent)
  }
  // What the terminal last shows on the status line after each redraw.
  const frames = () => err.join('').split('\r\u001b[2K').map((f) => f.trim()).filter(Boolean)
  return { feed, frames, err }
}

describe('progress on a terminal', () => {
  it('shows a spinner with the engine line until the build names its steps, then a bar by step count', () => {
    const t = terminal()
    t.feed([
      { type: 'stage:start', stage: 'build', title: 'Building the image' },
      { type: 'image:build:log', line: 'Sending build context to Docker daemon' },
      { type: 'progress', label: 'build step 1/4: FROM python', done: 0, total: 4, unit: 'steps' },
      { type: 'image:build:log', line: ' ---> Using cache' },
      { type: 'progress', label: 'build step 3/4: RUN pip install', done: 2, total: 4, unit: 'steps' },
    ])
    const frames = t.frames()
    expect(frames).toContainEqual(expect.stringMatching(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] build: Sending build context to Docker daemon$/))
    expect(frames).toContain('build step 1/4: FROM python [........................] 0% 0 / 4 steps')
    expect(frames).toContain('build step 3/4: RUN pip install [############............] 50% 2 / 4 steps')
    // Once steps are known, raw engine lines no longer replace the bar.
    expect(frames.some((f) => f.includes('Using cache'))).toBe(false)
    expect(frames.some((f) => /\[\.+\] 0% .*build:/.test(f))).toBe(false)
  })

  it('uses a spinner where no total is known and a countdown with attempts during verify', () => {
    const t = terminal()
    t.feed([
      { type: 'progress', label: 'rows', done: 1200, unit: 'rows' },
      { type: 'verify:attempt', url: 'http://x/', attempt: 1, remainingMs: 60_000 },
      { type: 'verify:attempt', url: 'http://x/', attempt: 2, remainingMs: 58_400, problem: 'http://x/-/databases.json answered 503' },
    ])
    const frames = t.frames()
    expect(frames).toContainEqual(expect.stringMatching(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] rows 1200 rows$/))
    expect(frames).toContainEqual(expect.stringMatching(/verify: attempt 1, 60 s left$/))
    expect(frames).toContainEqual(expect.stringMatching(/verify: attempt 2, 59 s left \(http:\/\/x\/-\/databases\.json answered 503\)$/))
  })

  it('draws nothing but stage lines where stderr is not a terminal', () => {
    const t = terminal(false)
    t.feed([
      { type: 'stage:start', stage: 'verify', title: 'Checking' },
      { type: 'progress', label: 'build step 1/4: FROM python', done: 0, total: 4, unit: 'steps' },
      { type: 'verify:attempt', url: 'http://x/', attempt: 1, remainingMs: 60_000 },
    ])
    expect(t.err.join('')).toBe('• Checking\n')
  })
})
