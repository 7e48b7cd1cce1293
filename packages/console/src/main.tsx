import { render } from 'preact';
import './styles.css';
import { App } from './app.js';
import { applyTheme, storedTheme } from './theme.js';

applyTheme(storedTheme());
const root = document.getElementById('app')!;
// The boot message is plain HTML; render would keep it beside the app.
root.textContent = '';
render(<App />, root);
