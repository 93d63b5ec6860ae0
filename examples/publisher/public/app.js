// The publisher page: no framework, no bundler. Everything shown comes from /api/providers and
// the job's event stream; text is always set with textContent, never parsed as HTML.
const $ = (id) => document.getElementById(id)
const STAGE_WEIGHTS = { collect: 2, data: 6, context: 2, build: 50, analyze: 4, push: 14, deploy: 16, verify: 6 }
const TOTAL_WEIGHT = Object.values(STAGE_WEIGHTS).reduce((a, b) => a + b, 0)

let providers = []
let limits = {}

async function loadProviders() {
  const response = await fetch('/api/providers')
  const body = await response.json()
  providers = body.providers
  limits = body.limits
  $('files-hint').textContent = `Each file becomes a table named after it. At most ${limits.maxFiles} files, ${mib(limits.maxFileBytes)} each, ${mib(limits.maxTotalBytes)} in total.`
  const select = $('provider')
  select.replaceChildren()
  for (const p of providers) {
    const option = new Option(p.available ? p.title : `${p.title} (unavailable)`, p.name)
    option.disabled = !p.available
    if (!p.available) option.title = p.reason ?? ''
    select.append(option)
  }
  const first = providers.find((p) => p.available)
  if (first) select.value = first.name
  renderProvider()
}

function renderProvider() {
  const provider = providers.find((p) => p.name === $('provider').value)
  const unavailable = providers.filter((p) => !p.available).map((p) => `${p.title}: ${p.reason}`)
  $('provider-hint').textContent = [provider?.description, unavailable.length ? `Unavailable here: ${unavailable.join(' ')}` : ''].filter(Boolean).join(' ')
  const box = $('provider-options')
  box.replaceChildren()
  for (const [key, schema] of Object.entries(provider?.options.properties ?? {})) {
    const field = fieldFor(key, schema)
    if (field) box.append(...field)
  }
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
  const form = $('publish-form')
  const data = new FormData()
  const files = $('files').files
  if (!files.length) return showError({ code: 'UPLOAD_NO_FILES', message: 'Choose at least one CSV file.', hint: 'Use the file picker above.' })
  for (const file of files) data.append('files', file, file.name)
  for (const name of ['title', 'license', 'licenseUrl', 'source', 'sourceUrl']) if (form.elements[name].value) data.append(name, form.elements[name].value)
  data.append('provider', $('provider').value)
  data.append('providerOptions', JSON.stringify(providerOptions()))
  resetProgress()
  $('publish').disabled = true
  $('publish').textContent = 'Publishing…'
  let response
  try {
    response = await fetch('/api/publish', { method: 'POST', body: data })
  } catch {
    return finish(showError({ code: 'NETWORK', message: 'The server could not be reached.', hint: 'Check your connection and try again.' }))
  }
  const body = await response.json().catch(() => ({}))
  if (!response.ok) return finish(showError(body.error ?? { code: `HTTP_${response.status}`, message: response.statusText }))
  follow(body.events)
}

function follow(url) {
  const source = new EventSource(url)
  source.addEventListener('publish', (e) => onPublishEvent(JSON.parse(e.data)))
  source.addEventListener('done', (e) => showResult(JSON.parse(e.data)))
  source.addEventListener('failed', (e) => showError(JSON.parse(e.data)))
  source.addEventListener('end', () => (source.close(), finish()))
}

const stageItems = new Map()
const done = new Set()
let current
let fraction = 0

function onPublishEvent(event) {
  switch (event.type) {
    case 'stage:start': {
      current = event.stage
      fraction = 0
      const li = document.createElement('li')
      li.dataset.stage = event.stage
      li.textContent = `${event.title}…`
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
      }
      break
    }
    case 'stage:skip': {
      done.add(event.stage)
      const li = document.createElement('li')
      li.className = 'skipped'
      li.textContent = `Skipped ${event.stage}: ${event.reason}`
      $('steps').append(li)
      break
    }
    case 'data:table':
      detail(event.stage, `table ${event.table}: ${event.rows} rows, ${event.columns} columns`)
      break
    case 'progress':
      if (event.total) fraction = Math.min(1, event.done / event.total)
      detail(event.stage, `${event.label}: ${event.unit === 'bytes' ? bytes(event.done) : event.done}${event.total ? ` of ${event.unit === 'bytes' ? bytes(event.total) : event.total}` : ''}`, 'progress')
      break
    case 'push:progress':
      fraction = event.totalBytes ? Math.min(1, event.sentBytes / event.totalBytes) : 0
      detail('push', `${bytes(event.sentBytes)} of ${bytes(event.totalBytes)} sent`, 'progress')
      break
    case 'image:build:log':
      $('log').textContent += `${event.line}\n`
      fraction = Math.min(0.95, fraction + 0.01)
      break
    case 'image:built':
      detail('build', `image ${event.tag}`)
      break
    case 'image:analyzed':
      detail('analyze', `${bytes(event.bytes)} in ${event.layers} layers${event.budgetBytes ? `, limit ${bytes(event.budgetBytes)}` : ''}`)
      break
    case 'deploy:status':
      detail('deploy', `${event.state}${event.message ? `: ${event.message}` : ''}`, 'status')
      break
    case 'verify:ok':
      detail('verify', 'serves the new data')
      break
    case 'warning':
      detail(event.stage, `warning ${event.code}: ${event.message}`)
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
  const title = current && !done.has(current) ? stageItems.get(current)?.firstChild.textContent : 'Working…'
  $('progress-label').textContent = `${title} ${percent}%`
}

function showResult(result) {
  const link = $('result-link')
  if (/^https?:\/\//.test(result.url)) link.href = result.url
  link.textContent = result.url
  link.dataset.deployment = result.id
  $('progress-bar').value = 100
  $('progress-label').textContent = 'Done 100%'
  $('result').hidden = false
}

function showError(error) {
  $('error-code').textContent = error.code ?? 'ERROR'
  $('error-message').textContent = error.message ?? ''
  $('error-hint').textContent = error.hint ?? ''
  $('error-hint').hidden = !error.hint
  $('error').hidden = false
}

function resetProgress() {
  stageItems.clear()
  done.clear()
  current = undefined
  fraction = 0
  $('steps').replaceChildren()
  $('log').textContent = ''
  $('progress-bar').value = 0
  $('progress-label').textContent = 'Uploading…'
  $('progress-section').hidden = false
  $('result').hidden = true
  $('error').hidden = true
}

function finish() {
  $('publish').disabled = false
  $('publish').textContent = 'Publish'
}

const humanize = (key) => key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())
const splitTuple = (line, n) => {
  const parts = line.split(/\s+/)
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(' ')]
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const mib = (n) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`
const bytes = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`)

$('provider').addEventListener('change', renderProvider)
$('publish-form').addEventListener('submit', submit)
loadProviders().catch(() => showError({ code: 'PROVIDERS_UNAVAILABLE', message: 'The list of providers could not be loaded.', hint: 'Reload the page.' }))
