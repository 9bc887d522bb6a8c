export { loadConfig, ConfigError, HubConfig, SETTINGS } from './config';
