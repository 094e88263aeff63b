export { ConfigView, StaleConfigWrite } from './config-view.js';
