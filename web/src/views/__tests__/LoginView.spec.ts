import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import LoginView from '@/views/LoginView.vue'
import { ApiError } from '@/api/client'

function view(login: (name: string) => Promise<void>, devLoginEnabled = true) {
  return mount(LoginView, { props: { devLoginEnabled, login } })
}

async function submit(wrapper: ReturnType<typeof view>, name: string) {
  await wrapper.get('[data-testid="dev-login-username"]').setValue(name)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('LoginView', () => {
  it('links to GitHub and offers dev login only when it is on', () => {
    expect(view(async () => {}, false).find('[data-testid="dev-login-form"]').exists()).toBe(false)
    const wrapper = view(async () => {})
    expect(wrapper.get('[data-testid="github-login"]').attributes('href')).toBe('/api/v1/auth/github')
    expect(wrapper.get('label[for="dev-login-username"]').text()).toBe('Username')
  })

  it('signs in with the trimmed name', async () => {
    const login = vi.fn(async () => {})
    await submit(view(login), '  octocat ')
    expect(login).toHaveBeenCalledWith('octocat')
  })

  it('asks for a name before asking the service', async () => {
    const login = vi.fn(async () => {})
    const wrapper = view(login)
    await submit(wrapper, '   ')
    expect(wrapper.get('[data-testid="dev-login-error"]').text()).toBe('Enter a username.')
    expect(login).not.toHaveBeenCalled()
  })

  it("shows the service's 422 as a sentence about the username", async () => {
    const wrapper = view(() =>
      Promise.reject(new ApiError(422, 'bad', { details: [{ field: 'username', message: 'must be 1 to 39 characters' }] })),
    )
    await submit(wrapper, 'x'.repeat(40))
    expect(wrapper.get('[data-testid="dev-login-error"]').text()).toBe('Username must be 1 to 39 characters.')
  })

  it('says when the service cannot be reached', async () => {
    const wrapper = view(() => Promise.reject(new ApiError(0, 'x', { fromService: false })))
    await submit(wrapper, 'octocat')
    expect(wrapper.get('[data-testid="dev-login-error"]').text()).toBe(
      "Sign-in failed. Can't reach the settings service.",
    )
  })
})
