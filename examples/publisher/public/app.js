// The publisher page: no framework, no bundler. Everything shown comes from /api/providers and
// the job's event stream; text is always set with textContent, never parsed as HTML.
const $ = (id) => document.getElementById(id)
const STAGE_WEIGHTS = { collect: 2, data: 6, context: 2, build: 50, analyze: 4, push: 14, deploy: 16, verify: 6 }
const TOTAL_WEIGHT = Object.values(STAGE_WEIGHTS).reduce((a, b) => a + b, 0)
// What each step is called on the page: what happens to the visitor's data, not how.
const STAGE_NAMES = {
  collect: 'Checking your files',
  data: 'Reading your data',
  context: 'Preparing your site',
  build: 'Building your site',
  analyze: 'Checking its size',
  push: 'Uploading your site',
  deploy: 'Putting it online',
  verify: 'Checking that it works',
}

let providers = []
let limits = {}
/** The publish in progress: its job id once the upload is accepted, the upload's AbortController before that. */
let job

async function loadProviders() {
  const response = await fetch('/api/providers')
  const body = await response.json()
  providers = body.providers
  limits = body.limits
  $('files-hint').textContent = `Each file becomes a table named after it. Up to ${limits.maxFiles} files, ${mib(limits.maxFileBytes)} each, ${mib(limits.maxTotalBytes)} in total.`
  const select = $('provider')
  select.replaceChildren()
  for (const p of providers) {
    const option = new Option(p.available ? p.title : `${p.title} (not available here)`, p.name)
    option.disabled = !p.available
    if (!p.available) option.title = p.reason ?? ''
    select.append(option)
  }
  const first = providers.find((p) => p.available)
  if (first) select.value = first.name
  const unavailable = providers.filter((p) => !p.available)
  $('provider-unavailable').textContent = unavailable.length ? `Not available here: ${unavailable.map((p) => p.title).join(', ')}.` : ''
  renderProvider()
}

function renderProvider() {
  const provider = providers.find((p) => p.name === $('provider').value)
  $('provider-hint').textContent = provider?.description ?? ''
  const box = $('provider-options')
  box.replaceChildren()
  for (const [key, schema] of Object.entries(provider?.options.properties ?? {})) {
    const field = fieldFor(key, schema)
    if (field) box.append(...field)
  }
  $('advanced').hidden = box.childElementCount === 0
}

/** One form control from one JSON Schema property: enum → select, boolean → checkbox, number, text, or lines for arrays. */
function fieldFor(key, schema) {
  const id = `opt-${key}`
  const label = document.createElement('label')
  label.htmlFor = id
  label.textContent = humanize(key)
  let input
  if (Array.isArray(schema.enum)) {
    input = document.createElement('select')
    if (schema.default === undefined) input.append(new Option('(default)', ''))
    for (const value of schema.enum) input.append(new Option(String(value), String(value)))
    if (schema.default !== undefined) input.value = String(schema.default)
  } else if (schema.type === 'boolean') {
    input = document.createElement('input')
    input.type = 'checkbox'
    input.checked = schema.default === true
  } else if (schema.type === 'integer' || schema.type === 'number') {
    input = document.createElement('input')
    input.type = 'number'
    if (schema.minimum !== undefined) input.min = String(schema.minimum)
    if (schema.maximum !== undefined) input.max = String(schema.maximum)
    input.step = schema.type === 'integer' ? '1' : 'any'
    if (schema.default !== undefined) input.placeholder = String(schema.default)
  } else if (schema.type === 'string') {
    input = document.createElement('input')
    input.type = 'text'
    if (schema.default !== undefined) input.placeholder = String(schema.default)
  } else if (schema.type === 'array' && (schema.items?.type === 'string' || Array.isArray(schema.prefixItems))) {
    input = document.createElement('textarea')
    input.rows = 2
    input.placeholder = Array.isArray(schema.prefixItems) ? 'one per line: NAME VALUE' : 'one per line'
  } else return undefined
  input.id = id
  input.dataset.option = key
  input.dataset.kind = Array.isArray(schema.enum) ? 'enum' : schema.type
  if (Array.isArray(schema.prefixItems)) input.dataset.tuple = String(schema.prefixItems.length)
  const parts = [label, input]
  if (schema.description) {
    const hint = document.createElement('p')
    hint.className = 'hint'
    hint.id = `${id}-hint`
    hint.textContent = schema.description
    input.setAttribute('aria-describedby', hint.id)
    parts.push(hint)
  }
  return parts
}

function providerOptions() {
  const provider = providers.find((p) => p.name === $('provider').value)
  const out = {}
  for (const input of $('provider-options').querySelectorAll('[data-option]')) {
    const key = input.dataset.option
    const schema = provider.options.properties[key]
    switch (input.dataset.kind) {
      case 'boolean':
        if (input.checked !== (schema.default === true)) out[key] = input.checked
        break
      case 'integer':
      case 'number':
        if (input.value !== '') out[key] = Number(input.value)
        break
      case 'array': {
        const lines = input.value.split('\n').map((l) => l.trim()).filter(Boolean)
        const n = Number(input.dataset.tuple ?? 0)
        if (lines.length) out[key] = n ? lines.map((l) => splitTuple(l, n)) : lines
        break
      }
      default:
        if (input.value !== '' && input.value !== String(schema.default ?? '')) out[key] = input.value
    }
  }
  return out
}

async function submit(event) {
  event.preventDefault()
  if (job) return
  const form = $('publish-form')
  const data = new FormData()
  const files = $('files').files
  if (!files.length) return showError({ code: 'UPLOAD_NO_FILES', message: 'Choose at least one CSV file first.', hint: 'Use the "CSV files" button at the top.' })
  for (const file of files) data.append('files', file, file.name)
  for (const name of ['title', 'license', 'licenseUrl', 'source', 'sourceUrl']) if (form.elements[name].value) data.append(name, form.elements[name].value)
  data.append('provider', $('provider').value)
  data.append('providerOptions', JSON.stringify(providerOptions()))
  resetProgress()
  setState('running')
  const upload = new AbortController()
  job = { upload }
  let response
  try {
    response = await fetch('/api/publish', { method: 'POST', body: data, signal: upload.signal })
  } catch {
    if (upload.signal.aborted) return finish('failed', showCancelled('The upload was stopped; nothing was published.'))
    return finish('failed', showError({ code: 'NETWORK', message: 'The server could not be reached.', hint: 'Check your connection and try again.' }))
  }
  const body = await response.json().catch(() => ({}))
  if (!response.ok) return finish('failed', showError(body.error ?? { code: `HTTP_${response.status}`, message: 'The server refused the upload.', hint: 'Try again in a moment.' }))
  job = { id: body.id }
  follow(body.events)
}

function follow(url) {
  const source = new EventSource(url)
  let outcome = 'failed'
  source.addEventListener('queue', (e) => showQueue(JSON.parse(e.data)))
  source.addEventListener('start', () => {
    $('queue-status').hidden = true
    $('progress-label').textContent = 'Starting… 0%'
  })
  source.addEventListener('publish', (e) => onPublishEvent(JSON.parse(e.data)))
  source.addEventListener('done', (e) => ((outcome = 'published'), showResult(JSON.parse(e.data))))
  source.addEventListener('failed', (e) => {
    const error = JSON.parse(e.data)
    if (error.code === 'ABORTED') showCancelled('You cancelled the publish; nothing was put online.')
    else showError(error)
  })
  source.addEventListener('end', () => (source.close(), finish(outcome)))
}

async function cancel() {
  if (!job) return
  $('cancel').disabled = true
  $('cancel').textContent = 'Cancelling…'
  if (job.upload) return job.upload.abort()
  // The stream then reports the cancellation (failed ABORTED) and ends.
  const response = await fetch(`/api/jobs/${job.id}`, { method: 'DELETE' }).catch(() => undefined)
  if (!response?.ok) {
    $('cancel').disabled = false
    $('cancel').textContent = 'Cancel'
  }
}

function showQueue({ position }) {
  const box = $('queue-status')
  box.textContent = position === 1
    ? 'The server is busy with other publishes. Yours is next in line and starts by itself: keep this page open.'
    : `The server is busy with other publishes. Yours is number ${position} in line and starts by itself: keep this page open.`
  box.hidden = false
  $('progress-label').textContent = 'Waiting in line… 0%'
}

const stageItems = new Map()
const done = new Set()
const tables = []
let current
let fraction = 0

function onPublishEvent(event) {
  switch (event.type) {
    case 'stage:start': {
      current = event.stage
      fraction = 0
      const li = document.createElement('li')
      li.dataset.stage = event.stage
      li.append(document.createTextNode(`${STAGE_NAMES[event.stage] ?? event.title}…`))
      stageItems.set(event.stage, li)
      $('steps').append(li)
      break
    }
    case 'stage:end': {
      done.add(event.stage)
      const li = stageItems.get(event.stage)
      if (li) {
        li.className = 'done'
        li.firstChild.textContent = `${li.firstChild.textContent.replace(/…$/, '')} (${seconds(event.durationMs)})`
        // Byte counts matter while they move; once the step is done they are noise.
        li.querySelector('[data-slot="progress"]')?.previousSibling?.remove()
        li.querySelector('[data-slot="progress"]')?.remove()
      }
      break
    }
    case 'stage:skip':
      // A step this host does not need: nothing to tell the visitor.
      done.add(event.stage)
      break
    case 'data:table':
      tables.push({ database: event.database, table: event.table })
      detail(event.stage, `${event.table}: ${event.rows} ${event.rows === 1 ? 'row' : 'rows'}, ${event.columns} ${event.columns === 1 ? 'column' : 'columns'}`)
      break
    case 'progress':
      if (event.total) fraction = Math.min(1, event.done / event.total)
      if (event.unit === 'bytes') detail(event.stage, `${bytes(event.done)}${event.total ? ` of ${bytes(event.total)}` : ''}`, 'progress')
      break
    case 'push:progress':
      fraction = event.totalBytes ? Math.min(1, event.sentBytes / event.totalBytes) : 0
      detail('push', `${bytes(event.sentBytes)} of ${bytes(event.totalBytes)} sent`, 'progress')
      break
    case 'image:build:log':
      fraction = Math.min(0.95, fraction + 0.01)
      break
    case 'verify:ok':
      detail('verify', 'it shows your data')
      break
    case 'warning':
      detail(event.stage, `Note: ${event.message}`)
      break
  }
  updateBar()
}

function detail(stage, text, slot) {
  const li = stageItems.get(stage) ?? $('steps').lastElementChild
  if (!li) return
  let span = slot ? li.querySelector(`[data-slot="${slot}"]`) : null
  if (!span) {
    span = document.createElement('span')
    span.className = 'detail'
    if (slot) span.dataset.slot = slot
    li.append(document.createElement('br'), span)
  }
  span.textContent = text
}

function updateBar() {
  let value = 0
  for (const stage of done) value += STAGE_WEIGHTS[stage] ?? 0
  if (current && !done.has(current)) value += (STAGE_WEIGHTS[current] ?? 0) * fraction
  const percent = Math.round((value / TOTAL_WEIGHT) * 100)
  $('progress-bar').value = percent
  const title = current && !done.has(current) ? `${STAGE_NAMES[current] ?? 'Working'}…` : 'Working…'
  $('progress-label').textContent = `${title} ${percent}%`
}

function showResult(result) {
  const safe = /^https?:\/\//.test(result.url)
  const link = $('result-link')
  if (safe) link.href = result.url
  link.textContent = result.url
  link.dataset.deployment = result.id
  const list = $('result-tables')
  list.replaceChildren()
  if (safe) {
    for (const { database, table } of tables) {
      const base = new URL(`${encodeURIComponent(database)}/${encodeURIComponent(table)}`, result.url)
      const li = document.createElement('li')
      const name = document.createElement('span')
      name.className = 'table-name'
      name.textContent = table
      li.append(name, ': ', anchor(base.href, 'view the table'), ' · ', anchor(`${base.href}.json`, 'JSON'), ' · ', anchor(`${base.href}.csv`, 'CSV'))
      list.append(li)
    }
  }
  $('progress-bar').value = 100
  $('progress-label').textContent = 'Done 100%'
  $('result').hidden = false
  $('result').scrollIntoView({ block: 'start' })
  $('result-heading').focus({ preventScroll: true })
}

function anchor(href, text) {
  const a = document.createElement('a')
  a.href = href
  a.textContent = text
  a.rel = 'noopener noreferrer'
  a.target = '_blank'
  return a
}

/** The human message first, then what to do; the code last, for whoever runs the server. */
function showError(error) {
  $('error').classList.remove('cancelled')
  $('error-heading').textContent = 'Publishing failed'
  $('error-message').textContent = error.message || 'Something went wrong.'
  $('error-hint').textContent = error.hint ?? ''
  $('error-hint').hidden = !error.hint
  $('error-code').textContent = error.code ?? 'ERROR'
  $('error-code-line').hidden = false
  revealError()
}

function showCancelled(message) {
  $('error').classList.add('cancelled')
  $('error-heading').textContent = 'Publishing cancelled'
  $('error-message').textContent = message
  $('error-hint').textContent = 'You can change your files or settings and publish again.'
  $('error-hint').hidden = false
  $('error-code-line').hidden = true
  revealError()
}

function revealError() {
  $('queue-status').hidden = true
  // Nothing started (the upload was refused): no progress to show. Otherwise mark where it stopped.
  if ($('steps').childElementCount === 0) $('progress-section').hidden = true
  const li = current && !done.has(current) ? stageItems.get(current) : undefined
  if (li) {
    li.className = 'stopped'
    li.firstChild.textContent = `${li.firstChild.textContent.replace(/…$/, '')} (stopped)`
  }
  $('progress-label').textContent = 'Stopped'
  $('error').hidden = false
  $('error').scrollIntoView({ block: 'start' })
  $('error-heading').focus({ preventScroll: true })
}

function resetProgress() {
  stageItems.clear()
  done.clear()
  tables.length = 0
  current = undefined
  fraction = 0
  $('steps').replaceChildren()
  $('progress-bar').value = 0
  $('progress-label').textContent = 'Uploading your files… 0%'
  $('queue-status').hidden = true
  $('progress-section').hidden = false
  $('result').hidden = true
  $('error').hidden = true
}

/** running: Publish disabled, Cancel offered; published: both done with; failed: Publish offered again. */
function setState(state) {
  const publish = $('publish')
  const cancelButton = $('cancel')
  publish.disabled = state !== 'idle' && state !== 'failed'
  publish.textContent = state === 'running' ? 'Publishing…' : state === 'published' ? 'Published' : 'Publish'
  cancelButton.hidden = state !== 'running'
  cancelButton.disabled = false
  cancelButton.textContent = 'Cancel'
}

function finish(state) {
  job = undefined
  setState(state)
}

const humanize = (key) => key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())
const splitTuple = (line, n) => {
  const parts = line.split(/\s+/)
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(' ')]
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const mib = (n) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
const bytes = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`)

$('provider').addEventListener('change', renderProvider)
$('publish-form').addEventListener('submit', submit)
$('cancel').addEventListener('click', () => void cancel())
$('again').addEventListener('click', () => {
  $('publish-form').reset()
  $('result').hidden = true
  $('progress-section').hidden = true
  setState('idle')
  renderProvider()
  window.scrollTo({ top: 0 })
  $('files').focus()
})
loadProviders().catch(() => showError({ code: 'PROVIDERS_UNAVAILABLE', message: 'The page could not load the places to publish to.', hint: 'Reload the page.' }))
