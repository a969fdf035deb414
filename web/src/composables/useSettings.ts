// The loaded user and global settings, shared by the sections. A save puts
// the service's answer (the new effective settings) straight back here.

import { ref, type Ref } from 'vue'
import {
  api,
  type EffectiveUserSettings,
  type GlobalSettings,
  type GlobalSettingsUpdate,
  type UserPreferencesUpdate,
} from '@/api/client'

export interface SettingsStore {
  user: Ref<EffectiveUserSettings | null>
  global: Ref<GlobalSettings | null>
  loadUser(): Promise<EffectiveUserSettings>
  loadGlobal(): Promise<GlobalSettings>
  saveUser(update: UserPreferencesUpdate): Promise<EffectiveUserSettings>
  saveGlobal(update: GlobalSettingsUpdate): Promise<GlobalSettings>
  clear(): void
}

export function createSettingsStore(client = api): SettingsStore {
  const user = ref<EffectiveUserSettings | null>(null)
  const global = ref<GlobalSettings | null>(null)

  return {
    user,
    global,
    async loadUser() {
      user.value = await client.userSettings()
      return user.value
    },
    async loadGlobal() {
      global.value = await client.globalSettings()
      return global.value
    },
    async saveUser(update) {
      user.value = await client.updateUserSettings(update)
      return user.value
    },
    async saveGlobal(update) {
      global.value = await client.updateGlobalSettings(update)
      // Inherited user values follow the global ones: refresh them too.
      try {
        user.value = await client.userSettings()
      } catch {
        // The global save succeeded; the user view refreshes on the next load.
      }
      return global.value
    },
    clear() {
      user.value = null
      global.value = null
    },
  }
}

let shared: SettingsStore | null = null

export function useSettings(): SettingsStore {
  shared ??= createSettingsStore()
  return shared
}
