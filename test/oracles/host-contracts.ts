import { checkHerokuRequest } from './heroku-contract.js'
import { checkVercelRequest } from './vercel-contract.js'

/** Origins whose requests are checked against the host's own schema (pass to useHttpMock's `contracts`). */
export const HOST_CONTRACTS = {
  'https://api.vercel.com': checkVercelRequest,
  'https://api.heroku.com': checkHerokuRequest,
}
