// A fake GitHub on 127.0.0.1 for the end-to-end tests: the OAuth authorize page
// (which approves at once and sends the browser back to the service's callback),
// the token endpoint, the user endpoint and the GraphQL endpoint with the
// user's Projects (v2). The service is pointed at it with GITHUB_OAUTH_URL and
// GITHUB_API_URL.

import { createServer } from 'node:http'

const ACCESS_TOKEN = 'gho_e2e_token'
const CODE = 'e2e-code'

/**
 * @param {{ user: {id: number, login: string}, projects: object[] }} data
 *   `projects` are GraphQL ProjectV2 nodes ({id, title, url, closed, owner: {login}}).
 */
export async function startFakeGitHub({ user, projects }) {
  let callbackBase = null
  const graphqlCalls = []

  const reply = (res, status, body) => {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://fake')
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const authorized = req.headers.authorization === `Bearer ${ACCESS_TOKEN}`
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const state = url.searchParams.get('state') ?? ''
        res.writeHead(302, {
          location: `${callbackBase}/api/v1/auth/github/callback?code=${CODE}&state=${encodeURIComponent(state)}`,
        })
        return res.end()
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}')
        if (body.code !== CODE) return reply(res, 200, { error: 'bad_verification_code' })
        return reply(res, 200, { access_token: ACCESS_TOKEN, token_type: 'bearer', scope: 'read:user,read:project' })
      }
      if (req.method === 'GET' && url.pathname === '/user') {
        if (!authorized) return reply(res, 401, { message: 'Bad credentials' })
        return reply(res, 200, { ...user, avatar_url: null })
      }
      if (req.method === 'POST' && url.pathname === '/graphql') {
        graphqlCalls.push(Buffer.concat(chunks).toString())
        if (!authorized) return reply(res, 401, { message: 'Bad credentials' })
        return reply(res, 200, {
          data: { viewer: { projectsV2: { nodes: projects }, organizations: { nodes: [] } } },
        })
      }
      reply(res, 404, { message: 'Not Found' })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    /** Where authorize sends the browser back to: the page's origin (which proxies /api). */
    setCallbackBase(base) {
      callbackBase = base
    },
    graphqlCalls: () => graphqlCalls.length,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
