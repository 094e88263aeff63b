export { ConfigView } from './config-view.js';
