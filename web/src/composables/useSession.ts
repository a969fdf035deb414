// Who is signed in. The session itself is an HttpOnly cookie the page never
// sees; this state mirrors GET /auth/me and whether dev login is offered.

import { ref, readonly, type Ref } from 'vue'
import { api, ApiError, type User } from '@/api/client'

export type AuthState = 'loading' | 'signed-in' | 'signed-out' | 'unreachable'

export interface SessionState {
  user: Readonly<Ref<User | null>>
  state: Readonly<Ref<AuthState>>
  devLoginEnabled: Readonly<Ref<boolean>>
  /** Why the last check could not tell (service unreachable). */
  problem: Readonly<Ref<string>>
  refresh(): Promise<void>
  devLogin(username: string): Promise<User>
  logout(): Promise<void>
  /** The service said 401 somewhere: the session is gone. */
  signedOut(): void
  selectProject(projectId: string | null): Promise<User>
}

export function createSessionState(client = api): SessionState {
  const user = ref<User | null>(null)
  const state = ref<AuthState>('loading')
  const devLoginEnabled = ref(false)
  const problem = ref('')

  async function refresh() {
    state.value = 'loading'
    const [me, health] = await Promise.allSettled([client.me(), client.health()])
    devLoginEnabled.value = health.status === 'fulfilled' && health.value.dev_login === true
    if (me.status === 'fulfilled') {
      user.value = me.value
      state.value = 'signed-in'
      problem.value = ''
    } else if (me.reason instanceof ApiError && me.reason.status === 401) {
      user.value = null
      state.value = 'signed-out'
      problem.value = ''
    } else {
      user.value = null
      state.value = 'unreachable'
      problem.value = me.reason instanceof ApiError ? me.reason.message : 'The service cannot be reached.'
    }
  }

  async function devLogin(username: string) {
    const signedIn = await client.devLogin(username)
    user.value = signedIn
    state.value = 'signed-in'
    return signedIn
  }

  async function logout() {
    await client.logout()
    user.value = null
    state.value = 'signed-out'
  }

  function signedOut() {
    user.value = null
    state.value = 'signed-out'
  }

  async function selectProject(projectId: string | null) {
    const updated = await client.selectProject(projectId)
    user.value = updated
    return updated
  }

  return {
    user: readonly(user) as Readonly<Ref<User | null>>,
    state: readonly(state),
    devLoginEnabled: readonly(devLoginEnabled),
    problem: readonly(problem),
    refresh,
    devLogin,
    logout,
    signedOut,
    selectProject,
  }
}

let shared: SessionState | null = null

export function useSession(): SessionState {
  shared ??= createSessionState()
  return shared
}
