import { createApp } from 'vue'
import App from './App.vue'
import { useTheme } from './composables/useTheme'
import { PRODUCT_NAME } from './product'
import './assets/main.css'

// Apply the stored theme before the first render, so there is no flash.
useTheme()
document.title = `${PRODUCT_NAME} · Settings`

createApp(App).mount('#app')
