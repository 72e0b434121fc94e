<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AudioPage</name>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>Ringer</source>
        <translation>铃声设备</translation>
    </message>
    <message>
        <source>silent</source>
        <translation>无声</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>麦克风电平</translation>
    </message>
    <message>
        <source>Speak: the bar follows your voice.</source>
        <translation>请说话：电平条会随您的声音变化。</translation>
    </message>
    <message>
        <source>Play a test tone</source>
        <translation>播放测试音</translation>
    </message>
    <message>
        <source>Play a test tone on the speaker</source>
        <translation>在扬声器上播放测试音</translation>
    </message>
    <message>
        <source>Echo test (record 5 s, play back)</source>
        <translation>回声测试（录音 5 秒后回放）</translation>
    </message>
    <message>
        <source>Echo test: record five seconds, play back</source>
        <translation>回声测试：录音五秒后回放</translation>
    </message>
    <message>
        <source>Encrypted echo test call…</source>
        <translation>加密回声测试通话…</translation>
    </message>
    <message>
        <source>Encrypted echo test call through these devices</source>
        <translation>用这些设备进行加密回声测试通话</translation>
    </message>
    <message>
        <source>Calls the app&apos;s own echo peer over TLS and SRTP with this microphone and speaker: you hear yourself through both encrypted legs.</source>
        <translation>通过 TLS 和 SRTP，用这个麦克风和扬声器呼叫本应用内置的回声端：您会听到自己的声音经过两段加密链路传回。</translation>
    </message>
    <message>
        <source>Echo cancellation</source>
        <translation>回声消除</translation>
    </message>
    <message>
        <source>Noise suppression</source>
        <translation>噪声抑制</translation>
    </message>
    <message>
        <source>Automatic gain</source>
        <translation>自动增益</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Microphone:</source>
        <translation>麦克风：</translation>
    </message>
    <message>
        <source>Speaker:</source>
        <translation>扬声器：</translation>
    </message>
    <message>
        <source>Ringer:</source>
        <translation>铃声设备：</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Microphone processing</source>
        <translation>麦克风处理</translation>
    </message>
    <message>
        <source>System default — {0}</source>
        <translation>系统默认 — {0}</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>{0} — not connected</source>
        <translation>{0} — 未连接</translation>
    </message>
    <message>
        <source>Chosen, but not plugged in now: the system default is used</source>
        <translation>已选择，但现在未连接：使用系统默认设备</translation>
    </message>
    <message>
        <source>Looking for sound devices…</source>
        <translation>正在查找声音设备…</translation>
    </message>
    <message>
        <source>Sound devices unavailable: {0}</source>
        <translation>声音设备不可用：{0}</translation>
    </message>
    <message>
        <source>No sound devices found.</source>
        <translation>未找到声音设备。</translation>
    </message>
    <message>
        <source>Opening the microphone…</source>
        <translation>正在打开麦克风…</translation>
    </message>
    <message>
        <source>Listening to {0}. Speak: the bar follows your voice.</source>
        <translation>正在监听 {0}。请说话：电平条会随您的声音变化。</translation>
    </message>
    <message>
        <source>{0:.0f} dBFS</source>
        <translation>{0:.0f} dBFS</translation>
    </message>
    <message>
        <source>No microphone level: {0}</source>
        <translation>无法显示麦克风电平：{0}</translation>
    </message>
    <message>
        <source>Playing a 440 Hz tone for 2 s…</source>
        <translation>正在播放 440 Hz 测试音，持续 2 秒…</translation>
    </message>
    <message>
        <source>Recording {0} s: say something…</source>
        <translation>正在录音 {0} 秒：请说几句话…</translation>
    </message>
    <message>
        <source>Playing back what was recorded…</source>
        <translation>正在回放录音…</translation>
    </message>
    <message>
        <source>Echo test done: recorded at {0:.0f} dBFS and played back.</source>
        <translation>回声测试完成：录音电平 {0:.0f} dBFS，已回放。</translation>
    </message>
    <message>
        <source>Echo test done, but the microphone was silent.</source>
        <translation>回声测试完成，但麦克风没有声音。</translation>
    </message>
    <message>
        <source>Test tone played on {0}.</source>
        <translation>已在 {0} 上播放测试音。</translation>
    </message>
    <message>
        <source>The test did not run: {0}</source>
        <translation>测试未能运行：{0}</translation>
    </message>
</context>
<context>
    <name>CallDevicesRow</name>
    <message>
        <source>Sound devices in use</source>
        <translation>正在使用的声音设备</translation>
    </message>
    <message>
        <source>Switch sound devices</source>
        <translation>切换声音设备</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Switch microphone or speaker</source>
        <translation>切换麦克风或扬声器</translation>
    </message>
    <message>
        <source>Switch the microphone or the speaker of this call</source>
        <translation>切换本次通话的麦克风或扬声器</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>System default — {0}</source>
        <translation>系统默认 — {0}</translation>
    </message>
    <message>
        <source>{0} — not connected</source>
        <translation>{0} — 未连接</translation>
    </message>
    <message>
        <source>Looking for sound devices…</source>
        <translation>正在查找声音设备…</translation>
    </message>
    <message>
        <source>Switching to {0}…</source>
        <translation>正在切换到 {0}…</translation>
    </message>
    <message>
        <source>the system default</source>
        <translation>系统默认设备</translation>
    </message>
    <message>
        <source>The choice was not saved: {0}</source>
        <translation>选择未能保存：{0}</translation>
    </message>
    <message>
        <source>No microphone</source>
        <translation>没有麦克风</translation>
    </message>
    <message>
        <source>No speaker</source>
        <translation>没有扬声器</translation>
    </message>
    <message>
        <source>{0} disconnected — using {1}</source>
        <translation>{0} 已断开 — 正在使用 {1}</translation>
    </message>
    <message>
        <source>{0} is not available — using {1}</source>
        <translation>{0} 不可用 — 正在使用 {1}</translation>
    </message>
    <message>
        <source>Using {0}</source>
        <translation>正在使用 {0}</translation>
    </message>
    <message>
        <source>{0} is back — using it again</source>
        <translation>{0} 已重新连接 — 重新使用它</translation>
    </message>
    <message>
        <source>Microphone: {0}</source>
        <translation>麦克风：{0}</translation>
    </message>
    <message>
        <source>Speaker: {0}</source>
        <translation>扬声器：{0}</translation>
    </message>
    <message>
        <source>Microphone: {0} · Speaker: {1}</source>
        <translation>麦克风：{0} · 扬声器：{1}</translation>
    </message>
</context>
<context>
    <name>CameraPage</name>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>First camera found</source>
        <translation>找到的第一个摄像头</translation>
    </message>
    <message>
        <source>Picture size</source>
        <translation>画面尺寸</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>{0:g} frames/s</source>
        <translation>{0:g} 帧/秒</translation>
    </message>
    <message>
        <source>Camera preview</source>
        <translation>摄像头预览</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Start calls with video on</source>
        <translation>通话开始时开启视频</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <source>Frame rate:</source>
        <translation>帧率：</translation>
    </message>
    <message>
        <source>Cameras unavailable: {0}</source>
        <translation>摄像头不可用：{0}</translation>
    </message>
    <message>
        <source>{0} — not connected</source>
        <translation>{0} — 未连接</translation>
    </message>
    <message>
        <source>No camera found. Connect one, then come back to this page.</source>
        <translation>未找到摄像头。请连接摄像头后再回到此页面。</translation>
    </message>
    <message>
        <source>Opening the camera…</source>
        <translation>正在打开摄像头…</translation>
    </message>
    <message>
        <source>No picture</source>
        <translation>没有画面</translation>
    </message>
    <message>
        <source>The camera delivers {0} × {1} at {2:g} frames/s</source>
        <translation>摄像头实际输出 {0} × {1}，{2:g} 帧/秒</translation>
    </message>
    <message>
        <source>The camera stopped: {0}</source>
        <translation>摄像头已停止：{0}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
<context>
    <name>TestCallPanel</name>
    <message>
        <source>Calls an echo peer inside this app over TLS and SRTP with your microphone and speaker: for a few seconds you hear yourself, as the other side would.</source>
        <translation>通过 TLS 和 SRTP，用您的麦克风和扬声器呼叫本应用内的回声端：几秒钟内您会听到自己的声音，就像对方听到的一样。</translation>
    </message>
</context>
<context>
    <name>TestCallRunner</name>
    <message>
        <source>Connected; speak: you hear yourself through both encrypted legs…</source>
        <translation>已接通；请说话：您会听到自己的声音经过两段加密链路传回…</translation>
    </message>
</context>
</TS>
