/** All of the widget's CSS; it lives in the shadow root only. Theme values arrive as custom properties. */
export const CSS = `
:host{all:initial}
.root{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;font:15px/1.45 var(--sb-font);color:#1f2328;-webkit-font-smoothing:antialiased;text-align:left}
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
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d1242f;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}
.error .launcher::after{content:"!";position:absolute;top:-4px;right:-4px;width:22px;height:22px;border-radius:50%;background:#d1242f;color:#fff;font-weight:700;line-height:22px;text-align:center}
.panel{position:absolute;bottom:74px;right:0;width:370px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
[data-position=left] .panel{right:auto;left:0}
.header{display:flex;align-items:center;gap:10px;padding:12px 12px 12px 16px;background:var(--sb-primary);color:var(--sb-on-primary)}
.avatar{width:34px;height:34px;border-radius:50%;object-fit:cover;background:rgba(255,255,255,.3)}
.title{flex:1;margin:0;font-size:16px;font-weight:600;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.close{width:36px;height:36px;border-radius:8px;display:flex;align-items:center;justify-content:center}
.close:hover{background:rgba(127,127,127,.25)}
.alert{margin:10px 12px 0;padding:9px 12px;border-radius:8px;background:#fff1e5;border:1px solid #f0a35a;color:#6b2f00;font-size:14px}
.alert:empty{display:none}
.alert.fatal{background:#ffebe9;border-color:#ff8182;color:#82071e}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:#f6f8fa}
.msg{max-width:85%;padding:8px 12px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere}
.agent{align-self:flex-start;background:#fff;border:1px solid #d8dee4;border-bottom-left-radius:4px}
.contact{align-self:flex-end;background:var(--sb-primary);color:var(--sb-on-primary);border-bottom-right-radius:4px}
.contact.pending{background:#fff;color:#1f2328;border:1px dashed #57606a}
.failed{box-shadow:0 0 0 2px #d1242f}
.agent{white-space:normal}
.text p{margin:0 0 .5em}
.text>:last-child{margin-bottom:0}
.text ul,.text ol{margin:0 0 .5em;padding-left:1.4em}
.text pre{margin:0 0 .5em;padding:8px;border-radius:6px;background:#f6f8fa;overflow-x:auto;white-space:pre}
.text code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff1f3;border-radius:4px;padding:.1em .3em}
.text pre code{background:none;padding:0}
.text a{color:#0550ae;text-decoration:underline}
.unstored{font-style:italic;color:#656d76}
.typing{display:flex;align-items:center;gap:4px;padding:4px 18px 8px;background:#f6f8fa}
.dot{width:7px;height:7px;border-radius:50%;background:#8c959f;animation:sb-b 1.2s infinite ease-in-out}
.dot:nth-child(2){animation-delay:.15s}.dot:nth-child(3){animation-delay:.3s}
@keyframes sb-b{0%,80%,100%{opacity:.35;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #d8dee4;background:#fff}
textarea{flex:1;min-height:42px;max-height:120px;resize:none;margin:0;padding:10px 12px;border:1px solid #afb8c1;border-radius:10px;font:16px/1.3 var(--sb-font);color:#1f2328;background:#fff}
textarea:disabled{background:#f6f8fa}
.send{width:42px;height:42px;border-radius:10px;background:var(--sb-primary);color:var(--sb-on-primary);display:flex;align-items:center;justify-content:center}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:480px){
.open .panel{position:fixed;top:0;left:0;right:0;bottom:0;overscroll-behavior:contain;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}
.open .launcher{display:none}
}
@media (prefers-reduced-motion:reduce){.dot{animation:none}.launcher{transition:none}}
`;
