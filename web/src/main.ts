import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter } from './router'
import { useTheme } from './stores/theme'
import { PRODUCT_NAME } from './product'
import './assets/main.css'

const pinia = createPinia()
// Apply the stored theme before the first render, so there is no flash.
useTheme(pinia)
document.title = `${PRODUCT_NAME} · Settings`

createApp(App).use(pinia).use(createAppRouter()).mount('#app')
