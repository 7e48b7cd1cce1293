/** The dark scheme's colours (`colorScheme: 'dark'`, or `'auto'` on a system set to dark). */
const DARK = '{--f:#e6edf3;--b:#161b22;--l:#0d1117;--c:#2d333b;--e:#30363d;--i:#6e7681;--m:#9198a1;--a:#7cb7ff;--w:#f5b97a;--wb:#2f2111;--x:#ff9492;--xb:#3a1618;color-scheme:dark}';

/**
 * All of the widget's CSS; it lives in the shadow root only. Theme values arrive as custom
 * properties; the neutral colours are custom properties too, swapped by the dark scheme. The root
 * carries the language's `dir`: flex rows and columns and logical properties (padding-inline-start,
 * border-end-start-radius) mirror by themselves; the `[dir=rtl]` rules swap the physical sides left.
 */
export const CSS = `
:host{all:initial}
.root{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;font:15px/1.45 var(--sb-font);-webkit-font-smoothing:antialiased;text-align:start;--f:#1f2328;--b:#fff;--l:#f6f8fa;--c:#eff1f3;--e:#d8dee4;--i:#afb8c1;--m:#656d76;--a:#0550ae;--w:#6b2f00;--wb:#fff1e5;--x:#82071e;--xb:#ffebe9;color:var(--f);color-scheme:light}
.root[data-scheme=dark]${DARK}
@media (prefers-color-scheme:dark){.root[data-scheme=auto]${DARK}}
.root[data-position=left]{right:auto;left:20px}
.root:not(.ready){visibility:hidden}
.root *,.root *::before,.root *::after{box-sizing:border-box}
[hidden]{display:none!important}
button{font:inherit;cursor:pointer;border:0;margin:0;padding:0;background:none;color:inherit;line-height:1}
button:disabled{cursor:default;opacity:.5}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
svg{display:block}
.launcher{position:relative;width:58px;height:58px;border-radius:50%;background:var(--sb-launcher);color:var(--sb-on-launcher);display:flex;align-items:center;justify-content:center;box-shadow:0 4px 16px rgba(0,0,0,.28);transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher img{width:34px;height:34px;border-radius:50%;object-fit:cover}
.launcher.wide{width:auto;max-width:calc(100vw - 40px);padding:0 18px;border-radius:29px;gap:8px}
.ltext{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d1242f;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}
.error .launcher::after{content:"!";position:absolute;top:-4px;right:-4px;width:22px;height:22px;border-radius:50%;background:#d1242f;color:#fff;font-weight:700;line-height:22px;text-align:center}
.panel{position:absolute;bottom:74px;right:0;width:370px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:var(--b);border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
[data-position=left] .panel{right:auto;left:0}
.header{display:flex;align-items:center;gap:10px;padding:12px;padding-inline-start:16px;background:var(--sb-primary);color:var(--sb-on-primary)}
.avatar{width:34px;height:34px;border-radius:50%;object-fit:cover;background:rgba(255,255,255,.3)}
.title{flex:1;margin:0;font-size:16px;font-weight:600;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.close{width:36px;height:36px;border-radius:8px;display:flex;align-items:center;justify-content:center}
.close:hover{background:rgba(127,127,127,.25)}
.alert{margin:10px 12px 0;padding:9px 12px;border-radius:8px;background:var(--wb);border:1px solid #f0a35a;color:var(--w);font-size:14px}
.alert:empty{display:none}
.alert.fatal{background:var(--xb);border-color:#ff8182;color:var(--x)}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:var(--l)}
.msg{max-width:85%;padding:8px 12px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere}
.agent{align-self:flex-start;background:var(--b);border:1px solid var(--e);border-end-start-radius:4px}
.contact{align-self:flex-end;background:var(--sb-primary);color:var(--sb-on-primary);border-end-end-radius:4px}
.contact.pending{background:var(--b);color:var(--f);border:1px dashed var(--m)}
.failed{box-shadow:0 0 0 2px #d1242f}
.agent{white-space:normal}
.text p{margin:0 0 .5em}
.text>:last-child{margin-bottom:0}
.text ul,.text ol{margin:0 0 .5em;padding:0;padding-inline-start:1.4em}
.text pre{margin:0 0 .5em;padding:8px;border-radius:6px;background:var(--l);overflow-x:auto;white-space:pre}
.text code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--c);border-radius:4px;padding:.1em .3em}
.text pre code{background:none;padding:0}
.text a{color:var(--a);text-decoration:underline}
.unstored{font-style:italic;color:var(--m)}
.qr{display:flex;flex-wrap:wrap;gap:6px;max-width:85%}
.qr button{padding:7px 12px;border:1px solid var(--sb-primary);border-radius:16px;background:var(--b);color:var(--f);line-height:1.3}
.qr button:hover{background:var(--c)}
.typing{display:flex;align-items:center;gap:4px;padding:4px 18px 8px;background:var(--l)}
.dot{width:7px;height:7px;border-radius:50%;background:var(--m);animation:sb-b 1.2s infinite ease-in-out}
.dot:nth-child(2){animation-delay:.15s}.dot:nth-child(3){animation-delay:.3s}
@keyframes sb-b{0%,80%,100%{opacity:.35;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--e);background:var(--b)}
textarea{flex:1;min-height:42px;max-height:120px;resize:none;margin:0;padding:10px 12px;border:1px solid var(--i);border-radius:10px;font:16px/1.3 var(--sb-font);color:var(--f);background:var(--b)}
textarea:disabled{background:var(--l)}
.send{width:42px;height:42px;border-radius:10px;background:var(--sb-primary);color:var(--sb-on-primary);display:flex;align-items:center;justify-content:center}
.attach{width:34px;height:42px;color:var(--f);display:flex;align-items:center;justify-content:center}
[dir=rtl] .badge,[dir=rtl].error .launcher::after{right:auto;left:-4px}
[dir=rtl] .send svg{transform:scaleX(-1)}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:480px){
.open .panel{position:fixed;top:0;left:0;right:0;bottom:0;overscroll-behavior:contain;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}
.open .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.dot{animation:none}.launcher{transition:none}}
`;
