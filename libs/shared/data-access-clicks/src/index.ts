export { ClickColumns } from './click-columns';
