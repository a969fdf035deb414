// Who is signed in. The session itself is an HttpOnly cookie the page never
// sees; this store mirrors GET /auth/me and whether dev login is offered.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, ApiError, type User } from '@/api/client'
import { describeError } from '@/api/describeError'

export type AuthState = 'loading' | 'signed-in' | 'signed-out' | 'unreachable'

export const useSession = defineStore('session', () => {
  const user = ref<User | null>(null)
  const state = ref<AuthState>('loading')
  const devLoginEnabled = ref(false)
  /** Why the last check could not tell (service unreachable). */
  const problem = ref('')

  async function refresh() {
    state.value = 'loading'
    const [me, health] = await Promise.allSettled([api.me(), api.health()])
    devLoginEnabled.value = health.status === 'fulfilled' && health.value.data.dev_login === true
    if (me.status === 'fulfilled') {
      user.value = me.value.data
      state.value = 'signed-in'
      problem.value = ''
    } else if (me.reason instanceof ApiError && me.reason.status === 401) {
      user.value = null
      state.value = 'signed-out'
      problem.value = ''
    } else {
      user.value = null
      state.value = 'unreachable'
      problem.value = describeError(me.reason)
    }
  }

  async function devLogin(username: string): Promise<User> {
    const { data } = await api.devLogin(username)
    user.value = data
    state.value = 'signed-in'
    return data
  }

  async function logout() {
    await api.logout()
    signedOut()
  }

  /** The service said 401 somewhere: the session is gone. */
  function signedOut() {
    user.value = null
    state.value = 'signed-out'
  }

  // One selection at a time, in the order they were made: the service and
  // this store both end on the project chosen last.
  let selecting: Promise<unknown> = Promise.resolve()

  async function selectProject(projectId: string | null): Promise<User> {
    const turn = selecting.catch(() => {}).then(() => api.selectProject(projectId))
    selecting = turn
    const { data } = await turn
    user.value = data
    return data
  }

  return { user, state, devLoginEnabled, problem, refresh, devLogin, logout, signedOut, selectProject }
})
