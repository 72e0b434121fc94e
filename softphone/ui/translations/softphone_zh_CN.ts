<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Account</name>
    <message>
        <source>profile: {error}</source>
        <translation>配置文件：{error}</translation>
    </message>
    <message>
        <source>the secret store is not open, so the password is not available</source>
        <translation>密钥库未打开，因此无法取得密码</translation>
    </message>
    <message>
        <source>secret store: {error}</source>
        <translation>密钥库：{error}</translation>
    </message>
</context>
<context>
    <name>AccountController</name>
    <message>
        <source>Opening account {user}…</source>
        <translation>正在打开账户 {user}…</translation>
    </message>
    <message>
        <source>Connecting {address}…</source>
        <translation>正在连接 {address}…</translation>
    </message>
    <message>
        <source>no password stored for {address}: enter it in Settings</source>
        <translation>未保存 {address} 的密码：请在“设置”中输入</translation>
    </message>
</context>
<context>
    <name>AccountForm</name>
    <message>
        <source>profile: {error}</source>
        <translation>配置文件：{error}</translation>
    </message>
    <message>
        <source>the secret store is not open: unlock it to save a password (it is never written to the settings file)</source>
        <translation>密钥库未打开：请先解锁才能保存密码（密码绝不会写入设置文件）</translation>
    </message>
    <message>
        <source>Secret store NOT open: passwords cannot be saved until it is unlocked.</source>
        <translation>密钥库未打开：解锁之前无法保存密码。</translation>
    </message>
    <message>
        <source>Passwords are kept in the encrypted file {path}.</source>
        <translation>密码保存在加密文件 {path} 中。</translation>
    </message>
    <message>
        <source>Passwords are kept in the operating system&apos;s keyring.</source>
        <translation>密码保存在操作系统的密钥环中。</translation>
    </message>
    <message>
        <source>your SIP user name</source>
        <translation>您的 SIP 用户名</translation>
    </message>
    <message>
        <source>stored — type a new one to replace it</source>
        <translation>已保存 — 输入新密码即可替换</translation>
    </message>
    <message>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Service profile:</source>
        <translation>服务配置：</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>This profile cannot be used: {error}</source>
        <translation>此配置无法使用：{error}</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <source>NOT verified</source>
        <translation>未验证</translation>
    </message>
    <message>
        <source>{profile} — {transport} to {server}:{port}, server certificate {verify}, SRTP {srtp}</source>
        <translation>{profile} — 经 {transport} 连接 {server}:{port}，服务器证书{verify}，SRTP {srtp}</translation>
    </message>
</context>
<context>
    <name>AccountPage</name>
    <message>
        <source>Your SIP account</source>
        <translation>您的 SIP 账户</translation>
    </message>
    <message>
        <source>Pick your service&apos;s profile and sign in — or skip this for now.</source>
        <translation>选择您所用服务的配置并登录 — 也可以暂时跳过。</translation>
    </message>
    <message>
        <source>I have an account</source>
        <translation>我有账户</translation>
    </message>
    <message>
        <source>Skip: no account yet (the test call works without one)</source>
        <translation>跳过：暂无账户（测试通话无需账户）</translation>
    </message>
</context>
<context>
    <name>AccountStatusBar</name>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
</context>
<context>
    <name>AfterCallDialog</name>
    <message>
        <source>The appointment was marked done: {outcome}.</source>
        <translation>预约已标记为完成：{outcome}。</translation>
    </message>
    <message>
        <source>call completed</source>
        <translation>通话已完成</translation>
    </message>
    <message>
        <source>The call did not connect; the appointment stays open ({outcome}).</source>
        <translation>通话未接通；预约保持未完成状态（{outcome}）。</translation>
    </message>
    <message>
        <source>no outcome</source>
        <translation>无结果</translation>
    </message>
    <message>
        <source>After the call</source>
        <translation>通话之后</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <source>Add follow-up appointment</source>
        <translation>添加随访预约</translation>
    </message>
    <message>
        <source>Same participant, length and phrase.</source>
        <translation>相同的参与者、时长和验证短语。</translation>
    </message>
    <message>
        <source>Call evaluation (optional)</source>
        <translation>通话评价（可选）</translation>
    </message>
    <message>
        <source>{score}: {words}</source>
        <translation>{score}：{words}</translation>
    </message>
    <message>
        <source>1 = very poor … 5 = excellent. Stored with this call in the history.</source>
        <translation>1 = 很差 … 5 = 极好。随本次通话保存在通话记录中。</translation>
    </message>
    <message>
        <source>this call is not in the history</source>
        <translation>此通话不在通话记录中</translation>
    </message>
    <message>
        <source>Not stored: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Thank you: rated {score} ({words}), stored with the call.</source>
        <translation>谢谢：评分 {score}（{words}），已随通话保存。</translation>
    </message>
    <message>
        <source>Not added: {error}</source>
        <translation>未添加：{error}</translation>
    </message>
    <message>
        <source>Follow-up added for {when}.</source>
        <translation>已添加随访：{when}。</translation>
    </message>
</context>
<context>
    <name>AppointmentDialog</name>
    <message>
        <source>Edit appointment</source>
        <translation>编辑预约</translation>
    </message>
    <message>
        <source>New appointment</source>
        <translation>新建预约</translation>
    </message>
    <message>
        <source>a contact, or a number or SIP address</source>
        <translation>联系人，或号码、SIP 地址</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>We call them</source>
        <translation>我方呼叫对方</translation>
    </message>
    <message>
        <source>They call us</source>
        <translation>对方呼叫我方</translation>
    </message>
    <message>
        <source>e.g. Follow-up visit</source>
        <translation>例如：复诊</translation>
    </message>
    <message>
        <source>minimal: no clinical details</source>
        <translation>尽量简短：不要写临床细节</translation>
    </message>
    <message>
        <source>optional, at least 4 characters</source>
        <translation>可选，至少 4 个字符</translation>
    </message>
    <message>
        <source>Remove the phrase</source>
        <translation>删除验证短语</translation>
    </message>
    <message>
        <source>With:</source>
        <translation>对象：</translation>
    </message>
    <message>
        <source>Starts:</source>
        <translation>开始时间：</translation>
    </message>
    <message>
        <source>Duration:</source>
        <translation>时长：</translation>
    </message>
    <message>
        <source>Who calls:</source>
        <translation>由谁呼叫：</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Verification phrase:</source>
        <translation>验证短语：</translation>
    </message>
    <message>
        <source>A phrase is set (kept only as a salted hash): type a new one to replace it.</source>
        <translation>已设置验证短语（仅保存加盐哈希）：输入新短语即可替换。</translation>
    </message>
    <message>
        <source>Agreed with the patient beforehand; you check it at the start of the call. Only a salted hash is stored.</source>
        <translation>事先与患者约定；您在通话开始时核对。只保存加盐哈希。</translation>
    </message>
    <message>
        <source>Calling: {advice}</source>
        <translation>呼叫：{advice}</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
</context>
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
    <name>CallActions</name>
    <message>
        <source>&amp;Answer</source>
        <translation>接听(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Decline</source>
        <translation>拒接(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Hang up</source>
        <translation>挂断(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Mute</source>
        <translation>静音(&amp;M)</translation>
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
    <name>CallEvaluation</name>
    <message>
        <source>How was the call quality?</source>
        <translation>本次通话质量如何？</translation>
    </message>
    <message>
        <source>very poor</source>
        <translation>很差</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>差</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>good</source>
        <translation>好</translation>
    </message>
    <message>
        <source>excellent</source>
        <translation>极好</translation>
    </message>
</context>
<context>
    <name>CallLauncher</name>
    <message>
        <source>no SIP account is set up: add one in Settings</source>
        <translation>尚未设置 SIP 账户：请在“设置”中添加</translation>
    </message>
    <message>
        <source>not allowed: {reason}</source>
        <translation>不允许：{reason}</translation>
    </message>
    <message>
        <source>no SIP account is set up</source>
        <translation>尚未设置 SIP 账户</translation>
    </message>
    <message>
        <source>{reason}; a transfer cannot carry an authorization code</source>
        <translation>{reason}；转接无法附带授权码</translation>
    </message>
    <message>
        <source>{reason}; no authorization code is set up on this computer</source>
        <translation>{reason}；此计算机上未设置授权码</translation>
    </message>
    <message>
        <source>could not check the code</source>
        <translation>无法核对授权码</translation>
    </message>
</context>
<context>
    <name>CallVideoPanel</name>
    <message>
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Turns your camera on or off for this call</source>
        <translation>为本次通话打开或关闭您的摄像头</translation>
    </message>
    <message>
        <source>Video from the other side</source>
        <translation>对方的视频</translation>
    </message>
    <message>
        <source>Receiving video from the other side ({width} × {height})</source>
        <translation>正在接收对方的视频（{width} × {height}）</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>摄像头已打开</translation>
    </message>
    <message>
        <source>Video from the other side, and your camera</source>
        <translation>对方的视频和您的摄像头画面</translation>
    </message>
    <message>
        <source>No camera is set up (Settings → Camera).</source>
        <translation>尚未设置摄像头（设置 → 摄像头）。</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>正在启动摄像头…</translation>
    </message>
    <message>
        <source>The camera did not start: {error}</source>
        <translation>摄像头未能启动：{error}</translation>
    </message>
    <message>
        <source>The other side sees your camera.</source>
        <translation>对方可以看到您的摄像头画面。</translation>
    </message>
    <message>
        <source>Waiting for video…</source>
        <translation>正在等待视频…</translation>
    </message>
    <message>
        <source>Video paused</source>
        <translation>视频已暂停</translation>
    </message>
</context>
<context>
    <name>CallWindow</name>
    <message>
        <source>Calling…</source>
        <translation>正在呼叫…</translation>
    </message>
    <message>
        <source>Ringing…</source>
        <translation>正在振铃…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在接通…</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已接通</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Call — {peer}</source>
        <translation>通话 — {peer}</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>保持</translation>
    </message>
    <message>
        <source>Keypad</source>
        <translation>拨号键盘</translation>
    </message>
    <message>
        <source>Transfer…</source>
        <translation>转接…</translation>
    </message>
    <message>
        <source>Add call…</source>
        <translation>添加通话…</translation>
    </message>
    <message>
        <source>Consult before a transfer, or add a conference call</source>
        <translation>转接前先咨询，或添加会议通话</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>挂断</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Transfer to</source>
        <translation>转接至</translation>
    </message>
    <message>
        <source>Transfer to (number or SIP address)</source>
        <translation>转接到（号码或 SIP 地址）</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Not transferred: {reason}</source>
        <translation>未转接：{reason}</translation>
    </message>
    <message>
        <source>Transferring to {target}…</source>
        <translation>正在转接到 {target}…</translation>
    </message>
    <message>
        <source>Hanging up…</source>
        <translation>正在挂断…</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>通话保持中</translation>
    </message>
    <message>
        <source>Held by the other side</source>
        <translation>对方已保持通话</translation>
    </message>
    <message>
        <source>Ending the call: {reason}</source>
        <translation>正在结束通话：{reason}</translation>
    </message>
    <message>
        <source>Not called: {reason}</source>
        <translation>未呼叫：{reason}</translation>
    </message>
    <message>
        <source>Transfer: {code} {reason}</source>
        <translation>转接：{code} {reason}</translation>
    </message>
    <message>
        <source>{command} failed: {error}</source>
        <translation>{command} 失败：{error}</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Call ended — {reason} ({duration})</source>
        <translation>通话已结束 — {reason}（{duration}）</translation>
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
    <name>ConnectionPage</name>
    <message>
        <source>Connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>Saving the account and registering with the server.</source>
        <translation>正在保存账户并向服务器注册。</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
    <message>
        <source>Server certificate ({tls}), issued to {subject}. Compare its SHA-256 fingerprint with the one your administrator published:</source>
        <translation>服务器证书（{tls}），颁发给 {subject}。请将其 SHA-256 指纹与管理员公布的指纹进行比对：</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>Edit contact</source>
        <translation>编辑联系人</translation>
    </message>
    <message>
        <source>New contact</source>
        <translation>新建联系人</translation>
    </message>
    <message>
        <source>Numbers and SIP addresses</source>
        <translation>号码和 SIP 地址</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>号码</translation>
    </message>
    <message>
        <source>Add number</source>
        <translation>添加号码</translation>
    </message>
    <message>
        <source>Remove number</source>
        <translation>删除号码</translation>
    </message>
    <message>
        <source>one a line, e.g. sip:john.smith@clinic.example</source>
        <translation>每行一个，例如 sip:john.smith@clinic.example</translation>
    </message>
    <message>
        <source>separated by commas</source>
        <translation>用逗号分隔</translation>
    </message>
    <message>
        <source>Favourite (listed first)</source>
        <translation>收藏（排在最前）</translation>
    </message>
    <message>
        <source>Approved: may call me when only approved contacts may</source>
        <translation>已批准：仅允许已批准联系人来电时，此联系人也可呼叫我</translation>
    </message>
    <message>
        <source>no clinical details</source>
        <translation>不要写临床细节</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Organisation:</source>
        <translation>机构：</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>科室：</translation>
    </message>
    <message>
        <source>Numbers:</source>
        <translation>号码：</translation>
    </message>
    <message>
        <source>SIP addresses:</source>
        <translation>SIP 地址：</translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation>标签：</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>End-to-end encryption for this contact</source>
        <translation>此联系人的端到端加密</translation>
    </message>
    <message>
        <source>Required: calls with this contact that cannot be end to end are refused</source>
        <translation>必需：与此联系人的通话如果无法端到端加密，将被拒绝</translation>
    </message>
    <message>
        <source>Applies to the contact&apos;s SIP addresses</source>
        <translation>适用于该联系人的 SIP 地址</translation>
    </message>
    <message>
        <source>End-to-end verification</source>
        <translation>端到端验证</translation>
    </message>
    <message>
        <source>End-to-end:</source>
        <translation>端到端：</translation>
    </message>
    <message>
        <source>Verified:</source>
        <translation>验证状态：</translation>
    </message>
    <message>
        <source>Unavailable: the encrypted database is not open.</source>
        <translation>不可用：加密数据库未打开。</translation>
    </message>
    <message>
        <source>Verification is kept per SIP address: this contact has none yet.</source>
        <translation>验证按 SIP 地址保存：此联系人还没有 SIP 地址。</translation>
    </message>
    <message>
        <source>Not readable: {error}</source>
        <translation>无法读取：{error}</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
</context>
<context>
    <name>ContactText</name>
    <message>
        <source>Nothing was imported. {error}</source>
        <translation>未导入任何内容。{error}</translation>
    </message>
    <message>
        <source>Nothing was imported: cannot read the file ({error}).</source>
        <translation>未导入任何内容：无法读取文件（{error}）。</translation>
    </message>
    <message>
        <source>Nothing was imported: {error}</source>
        <translation>未导入任何内容：{error}</translation>
    </message>
    <message>
        <source>No duplicates found (contacts sharing a phone number).</source>
        <translation>未发现重复项（共用同一电话号码的联系人）。</translation>
    </message>
    <message numerus="yes">
        <source>Merged %n contacts into {groups}:</source>
        <translation>
            <numerusform>已将 %n 个联系人合并为 {groups} 个：</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicates removed.</source>
        <translation>
            <numerusform>删除了 %n 个重复项。</numerusform>
        </translation>
    </message>
    <message>
        <source>{merged} {removed}</source>
        <translation>{merged}{removed}</translation>
    </message>
</context>
<context>
    <name>ContactsModel</name>
    <message>
        <source>no number or SIP address</source>
        <translation>无号码或 SIP 地址</translation>
    </message>
    <message>
        <source>approved for incoming calls</source>
        <translation>已批准来电</translation>
    </message>
</context>
<context>
    <name>ContactsView</name>
    <message>
        <source>Contacts (*.vcf *.vcard *.csv);;vCard (*.vcf *.vcard);;CSV (*.csv)</source>
        <translation>联系人 (*.vcf *.vcard *.csv);;vCard (*.vcf *.vcard);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>{file}: not a .vcf or .csv file</source>
        <translation>{file}：不是 .vcf 或 .csv 文件</translation>
    </message>
    <message>
        <source>Filter contacts</source>
        <translation>筛选联系人</translation>
    </message>
    <message>
        <source>Filter contacts (name, department, tag, number)</source>
        <translation>筛选联系人（姓名、科室、标签、号码）</translation>
    </message>
    <message>
        <source>★ Favourites only</source>
        <translation>★ 仅显示收藏</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>呼叫</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Import vCard or CSV…</source>
        <translation>导入 vCard 或 CSV…</translation>
    </message>
    <message>
        <source>Export as vCard…</source>
        <translation>导出为 vCard…</translation>
    </message>
    <message>
        <source>Export as CSV…</source>
        <translation>导出为 CSV…</translation>
    </message>
    <message>
        <source>Merge duplicates (same phone number)</source>
        <translation>合并重复项（相同电话号码）</translation>
    </message>
    <message>
        <source>Contacts are unavailable: they need the encrypted database (the secret store must be open) and an account&apos;s profile (its phone-number region).</source>
        <translation>联系人不可用：需要加密数据库（密钥库必须已打开）以及账户的配置（用于确定电话号码所属地区）。</translation>
    </message>
    <message>
        <source>Could not read the contacts: {error}</source>
        <translation>无法读取联系人：{error}</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Call {target}</source>
        <translation>呼叫 {target}</translation>
    </message>
    <message>
        <source>No number or SIP address.</source>
        <translation>无号码或 SIP 地址。</translation>
    </message>
    <message>
        <source>Tags: {tags}</source>
        <translation>标签：{tags}</translation>
    </message>
    <message>
        <source>Approved: may call when only approved contacts may</source>
        <translation>已批准：仅允许已批准联系人来电时也可呼叫</translation>
    </message>
    <message>
        <source>Not approved for incoming calls</source>
        <translation>未批准来电</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>Delete contact</source>
        <translation>删除联系人</translation>
    </message>
    <message>
        <source>Delete {name}? This cannot be undone.</source>
        <translation>删除 {name}？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Not deleted: {error}</source>
        <translation>未删除：{error}</translation>
    </message>
    <message>
        <source>Contact deleted.</source>
        <translation>联系人已删除。</translation>
    </message>
    <message>
        <source>That contact was already gone.</source>
        <translation>该联系人已不存在。</translation>
    </message>
    <message>
        <source>Import contacts</source>
        <translation>导入联系人</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n contacts, {merged} merged into existing contacts.</source>
        <translation>
            <numerusform>已导入 %n 个联系人，其中 {merged} 个已合并到现有联系人。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n contacts.</source>
        <translation>
            <numerusform>已导入 %n 个联系人。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export contacts</source>
        <translation>导出联系人</translation>
    </message>
    <message>
        <source>Not exported: {error}</source>
        <translation>未导出：{error}</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n contacts to {file}. The file is not encrypted: keep it safe and delete it when done.</source>
        <translation>
            <numerusform>已将 %n 个联系人导出到 {file}。该文件未加密：请妥善保管，用完后删除。</numerusform>
        </translation>
    </message>
    <message>
        <source>Not merged: {error}</source>
        <translation>未合并：{error}</translation>
    </message>
</context>
<context>
    <name>Dates</name>
    <message>
        <source>Monday</source>
        <translation>星期一</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>星期二</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>星期三</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>星期四</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>星期五</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>星期六</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>星期日</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>January</source>
        <translation>一月</translation>
    </message>
    <message>
        <source>February</source>
        <translation>二月</translation>
    </message>
    <message>
        <source>March</source>
        <translation>三月</translation>
    </message>
    <message>
        <source>April</source>
        <translation>四月</translation>
    </message>
    <message>
        <source>May</source>
        <translation>五月</translation>
    </message>
    <message>
        <source>June</source>
        <translation>六月</translation>
    </message>
    <message>
        <source>July</source>
        <translation>七月</translation>
    </message>
    <message>
        <source>August</source>
        <translation>八月</translation>
    </message>
    <message>
        <source>September</source>
        <translation>九月</translation>
    </message>
    <message>
        <source>October</source>
        <translation>十月</translation>
    </message>
    <message>
        <source>November</source>
        <translation>十一月</translation>
    </message>
    <message>
        <source>December</source>
        <translation>十二月</translation>
    </message>
    <message>
        <source>Jan</source>
        <translation>1月</translation>
    </message>
    <message>
        <source>Feb</source>
        <translation>2月</translation>
    </message>
    <message>
        <source>Mar</source>
        <translation>3月</translation>
    </message>
    <message>
        <source>Apr</source>
        <translation>4月</translation>
    </message>
    <message>
        <source>May</source>
        <comment>month, short</comment>
        <translation>5月</translation>
    </message>
    <message>
        <source>Jun</source>
        <translation>6月</translation>
    </message>
    <message>
        <source>Jul</source>
        <translation>7月</translation>
    </message>
    <message>
        <source>Aug</source>
        <translation>8月</translation>
    </message>
    <message>
        <source>Sep</source>
        <translation>9月</translation>
    </message>
    <message>
        <source>Oct</source>
        <translation>10月</translation>
    </message>
    <message>
        <source>Nov</source>
        <translation>11月</translation>
    </message>
    <message>
        <source>Dec</source>
        <translation>12月</translation>
    </message>
    <message>
        <source>{day} {month_short} {time}</source>
        <translation>{month_number}月{day_number}日 {time}</translation>
    </message>
    <message>
        <source>{weekday_short} {day} {month_short} {time}</source>
        <translation>{month_number}月{day_number}日（{weekday_short}）{time}</translation>
    </message>
    <message>
        <source>{weekday} {day} {month}</source>
        <translation>{month_number}月{day_number}日 {weekday}</translation>
    </message>
</context>
<context>
    <name>DialAdvice</name>
    <message>
        <source>dials {number}</source>
        <translation>将拨打 {number}</translation>
    </message>
    <message>
        <source>Type or paste a number or SIP address</source>
        <translation>输入或粘贴号码或 SIP 地址</translation>
    </message>
    <message>
        <source>No SIP account</source>
        <translation>没有 SIP 账户</translation>
    </message>
    <message>
        <source>set one up in Settings to place calls</source>
        <translation>请在“设置”中添加账户后再拨打电话</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>允许</translation>
    </message>
    <message>
        <source>Needs an authorization code</source>
        <translation>需要授权码</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>不允许</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <source>Number or SIP address — type or paste any format</source>
        <translation>号码或 SIP 地址 — 可输入或粘贴任意格式</translation>
    </message>
    <message>
        <source>Number or SIP address to call</source>
        <translation>要呼叫的号码或 SIP 地址</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>呼叫</translation>
    </message>
    <message>
        <source>Delete the last character</source>
        <translation>删除最后一个字符</translation>
    </message>
    <message>
        <source>Call (authorization code)</source>
        <translation>呼叫（需授权码）</translation>
    </message>
    <message>
        <source>Not called: {reason}</source>
        <translation>未呼叫：{reason}</translation>
    </message>
</context>
<context>
    <name>E2eText</name>
    <message>
        <source>The codes did not match.</source>
        <translation>验证码不一致。</translation>
    </message>
    <message>
        <source>✖ Someone may be intercepting this call, so it was ended. Call back on a number you know is theirs.</source>
        <translation>✖ 可能有人在窃听此通话，因此通话已结束。请拨打您确认属于对方的号码回电。</translation>
    </message>
    <message>
        <source>✔ Verified: this contact presented the same identity you verified on an earlier call. No need to compare the code again.</source>
        <translation>✔ 已验证：此联系人出示的身份与您在之前的通话中验证过的相同，无需再次核对验证码。</translation>
    </message>
    <message>
        <source>✔ Verified: no one is in the middle of this call.</source>
        <translation>✔ 已验证：此通话中间没有第三方。</translation>
    </message>
    <message>
        <source>This call cannot be verified.</source>
        <translation>此通话无法验证。</translation>
    </message>
    <message>
        <source>Waiting for the short code…</source>
        <translation>正在等待短验证码…</translation>
    </message>
    <message>
        <source>Compare the code again before you say anything private: this contact&apos;s identity is not the one you verified.</source>
        <translation>在说任何私密内容之前，请再次核对验证码：此联系人的身份不是您验证过的那个。</translation>
    </message>
    <message>
        <source>Read this code aloud to the other person. They must see the same four characters. Does it match?</source>
        <translation>请向对方大声读出此验证码。对方必须看到相同的四个字符。是否一致？</translation>
    </message>
    <message>
        <source>The short code of this call:</source>
        <translation>本次通话的短验证码：</translation>
    </message>
    <message>
        <source>Short code: {characters}</source>
        <translation>短验证码：{characters}</translation>
    </message>
    <message>
        <source>⚠ WARNING: this contact&apos;s identity has CHANGED</source>
        <translation>⚠ 警告：此联系人的身份已变更</translation>
    </message>
    <message>
        <source>{peer} presented a different identity than the one you verified. Someone else may be answering for them. Compare the code again before you say anything, and press “Mismatch” if it differs.</source>
        <translation>{peer} 出示的身份与您验证过的不同，可能有其他人冒充对方接听。在说任何话之前请再次核对验证码；如果不同，请按“不一致”。</translation>
    </message>
    <message>
        <source>Verified before: {verified}
Presented now: {presented}</source>
        <translation>之前验证的：{verified}
现在出示的：{presented}</translation>
    </message>
    <message>
        <source>End-to-end: the codes did NOT match — the call was ended, not verified</source>
        <translation>端到端：验证码不一致 — 通话已结束，未验证</translation>
    </message>
    <message>
        <source>ended: the codes did not match — {reason}</source>
        <translation>已结束：验证码不一致 — {reason}</translation>
    </message>
    <message>
        <source>Not verified yet: compare the code on your next call.</source>
        <translation>尚未验证：请在下次通话时核对验证码。</translation>
    </message>
    <message>
        <source>{address}: verified on {day} — identity {fingerprint}</source>
        <translation>{address}：于 {day} 验证 — 身份 {fingerprint}</translation>
    </message>
    <message>
        <source>{address}: not verified</source>
        <translation>{address}：未验证</translation>
    </message>
    <message>
        <source>Codes did NOT match on {day}: {reason}</source>
        <translation>{day} 验证码不一致：{reason}</translation>
    </message>
    <message>
        <source>As the account&apos;s profile says</source>
        <translation>按账户配置文件的设置</translation>
    </message>
    <message>
        <source>End-to-end preferred</source>
        <translation>优先端到端加密</translation>
    </message>
    <message>
        <source>End-to-end required (refuse other calls)</source>
        <translation>必须端到端加密（拒绝其他通话）</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Set up the softphone</source>
        <translation>设置软电话</translation>
    </message>
    <message>
        <source>Could not save the settings: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
</context>
<context>
    <name>GuiApp</name>
    <message>
        <source>authorization codes unavailable: {error}</source>
        <translation>授权码不可用：{error}</translation>
    </message>
    <message>
        <source>The calling engine did not start: {error}</source>
        <translation>通话引擎未能启动：{error}</translation>
    </message>
    <message>
        <source>{error} — moved aside to {file}; starting afresh</source>
        <translation>{error} — 已移至 {file}；将以全新设置启动</translation>
    </message>
    <message>
        <source>account profile: {error}</source>
        <translation>账户配置：{error}</translation>
    </message>
    <message>
        <source>the secret store is locked: passwords and history unavailable</source>
        <translation>密钥库已锁定：密码和通话记录不可用</translation>
    </message>
    <message>
        <source>call history unavailable: {error}</source>
        <translation>通话记录不可用：{error}</translation>
    </message>
    <message>
        <source>Softphone</source>
        <translation>软电话</translation>
    </message>
    <message>
        <source>The administrator&apos;s policy file is invalid:
{error}</source>
        <translation>管理员的策略文件无效：
{error}</translation>
    </message>
</context>
<context>
    <name>HistoryFilter</name>
    <message>
        <source>answered</source>
        <translation>已接听</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>未接</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙线</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>incoming</source>
        <translation>呼入</translation>
    </message>
    <message>
        <source>outgoing</source>
        <translation>呼出</translation>
    </message>
    <message>
        <source>{outcome}: {reason}</source>
        <translation>{outcome}：{reason}</translation>
    </message>
    <message>
        <source>{address} — {direction} {when}, {outcome}</source>
        <translation>{address} — {direction} {when}，{outcome}</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>对方</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>安全</translation>
    </message>
    <message>
        <source>{outcome} · quality {score}/5</source>
        <translation>{outcome} · 质量 {score}/5</translation>
    </message>
    <message>
        <source>↙ in</source>
        <translation>↙ 呼入</translation>
    </message>
    <message>
        <source>↗ out</source>
        <translation>↗ 呼出</translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <source>All directions</source>
        <translation>全部方向</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>呼入</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>呼出</translation>
    </message>
    <message>
        <source>All outcomes</source>
        <translation>全部结果</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已接听</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>未接</translation>
    </message>
    <message>
        <source>Declined or busy</source>
        <translation>已拒绝或忙线</translation>
    </message>
    <message>
        <source>Failed or refused</source>
        <translation>失败或被拒</translation>
    </message>
    <message>
        <source>Call history</source>
        <translation>通话记录</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>回拨</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>History is unavailable: the secret store that holds its key is not open.</source>
        <translation>通话记录不可用：保存其密钥的密钥库未打开。</translation>
    </message>
    <message>
        <source>History is not kept (Settings → Privacy).</source>
        <translation>未保留通话记录（设置 → 隐私）。</translation>
    </message>
    <message>
        <source>Could not read the history: {error}</source>
        <translation>无法读取通话记录：{error}</translation>
    </message>
</context>
<context>
    <name>IncomingCallDialog</name>
    <message>
        <source>Answer</source>
        <translation>接听</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>拒接</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙线</translation>
    </message>
    <message>
        <source>Refuse the call (603 Decline)</source>
        <translation>拒绝来电（603 Decline）</translation>
    </message>
    <message>
        <source>Tell the caller you are busy (486 Busy Here)</source>
        <translation>告知来电方您正忙（486 Busy Here）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Softphone</source>
        <translation>软电话</translation>
    </message>
    <message>
        <source>Dial pad</source>
        <translation>拨号盘</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>History</source>
        <translation>通话记录</translation>
    </message>
    <message>
        <source>&amp;Softphone</source>
        <translation>软电话(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Encrypted &amp;test call…</source>
        <translation>加密测试通话(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Call</source>
        <translation>通话(&amp;C)</translation>
    </message>
    <message>
        <source>Not a call link: {url}</source>
        <translation>不是通话链接：{url}</translation>
    </message>
    <message>
        <source>Not called: {reason}</source>
        <translation>未呼叫：{reason}</translation>
    </message>
    <message>
        <source>{title} — {message}</source>
        <translation>{title} — {message}</translation>
    </message>
    <message>
        <source>Softphone — {what}</source>
        <translation>软电话 — {what}</translation>
    </message>
    <message>
        <source>Call not connected: {reason}</source>
        <translation>通话未接通：{reason}</translation>
    </message>
</context>
<context>
    <name>NotifyText</name>
    <message>
        <source>Caller hidden (privacy mode)</source>
        <translation>来电方已隐藏（隐私模式）</translation>
    </message>
    <message>
        <source>You are already in a call: answering puts that call on hold.</source>
        <translation>您正在通话中：接听将使当前通话进入保持状态。</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>来电</translation>
    </message>
</context>
<context>
    <name>PhrasePanel</name>
    <message>
        <source>Caller verification</source>
        <translation>来电者身份验证</translation>
    </message>
    <message>
        <source>Ask the patient to say the verification phrase agreed for this appointment and type what you hear. It is checked against the stored hash, never shown or kept.</source>
        <translation>请患者说出为本次预约约定的验证短语，并输入您听到的内容。系统会将其与保存的哈希值比对，绝不显示或保存短语。</translation>
    </message>
    <message>
        <source>the phrase the patient says</source>
        <translation>患者说出的短语</translation>
    </message>
    <message>
        <source>Check phrase</source>
        <translation>核对短语</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <source>Do not discuss personal details; confirm who this is another way (call back a number you already know).</source>
        <translation>请勿讨论个人信息；请通过其他方式确认对方身份（回拨您已知的号码）。</translation>
    </message>
    <message>
        <source>✔  Verified: the phrase matches the one agreed for this appointment.</source>
        <translation>✔  已验证：短语与本次预约约定的一致。</translation>
    </message>
    <message numerus="yes">
        <source>✖  The phrase does NOT match (%n attempts). {what_to_do}</source>
        <translation>
            <numerusform>✖  短语不匹配（已尝试 %n 次）。{what_to_do}</numerusform>
        </translation>
    </message>
    <message>
        <source>✖  The phrase does NOT match. {what_to_do}</source>
        <translation>✖  短语不匹配。{what_to_do}</translation>
    </message>
    <message>
        <source>Could not check the phrase. {what_to_do}</source>
        <translation>无法核对短语。{what_to_do}</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <source>Authorization code needed</source>
        <translation>需要授权码</translation>
    </message>
    <message>
        <source>{low}–{high} digits</source>
        <translation>{low}–{high} 位数字</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>呼叫</translation>
    </message>
    <message>
        <source>Authorization code:</source>
        <translation>授权码：</translation>
    </message>
    <message>
        <source>Type the authorization code.</source>
        <translation>请输入授权码。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
</context>
<context>
    <name>Quality</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>good</source>
        <translation>好</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>差</translation>
    </message>
    <message>
        <source>Network: measuring…</source>
        <translation>网络：正在测量…</translation>
    </message>
    <message>
        <source>{rtt} ms</source>
        <translation>{rtt} 毫秒</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Network: {quality} · loss {loss} % · jitter {jitter} ms · RTT {rtt}</source>
        <translation>网络：{quality} · 丢包 {loss}% · 抖动 {jitter} 毫秒 · 往返时延 {rtt}</translation>
    </message>
</context>
<context>
    <name>ReasonText</name>
    <message>
        <source>emergency</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>internal extension</source>
        <translation>内部分机</translation>
    </message>
    <message>
        <source>SIP address</source>
        <translation>SIP 地址</translation>
    </message>
    <message>
        <source>toll-free</source>
        <translation>免费电话</translation>
    </message>
    <message>
        <source>national</source>
        <translation>国内</translation>
    </message>
    <message>
        <source>mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>service code</source>
        <translation>服务代码</translation>
    </message>
    <message>
        <source>shared-cost</source>
        <translation>分摊费用</translation>
    </message>
    <message>
        <source>international</source>
        <translation>国际</translation>
    </message>
    <message>
        <source>premium-rate</source>
        <translation>高额付费</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>无法识别的号码</translation>
    </message>
    <message>
        <source>emergency calls are always allowed</source>
        <translation>紧急呼叫始终允许</translation>
    </message>
    <message>
        <source>calls to the SIP domain {domain} are not allowed</source>
        <translation>不允许呼叫 SIP 域 {domain}</translation>
    </message>
    <message>
        <source>allowed as an exception for the role “{role}”</source>
        <translation>作为角色“{role}”的例外而允许</translation>
    </message>
    <message>
        <source>this number is blocked for the role “{role}”</source>
        <translation>此号码对角色“{role}”已被禁止</translation>
    </message>
    <message>
        <source>{classes} calls are not allowed for the role “{role}”</source>
        <translation>角色“{role}”不允许拨打{classes}电话</translation>
    </message>
    <message>
        <source>{classes} calls need an authorization code for the role “{role}”</source>
        <translation>角色“{role}”拨打{classes}电话需要授权码</translation>
    </message>
    <message>
        <source>{kind}, allowed for the role “{role}”</source>
        <translation>{kind}，角色“{role}”允许拨打</translation>
    </message>
    <message>
        <source>the caller is on the block list</source>
        <translation>来电者在屏蔽名单中</translation>
    </message>
    <message>
        <source>anonymous callers are not accepted</source>
        <translation>不接受匿名来电</translation>
    </message>
    <message>
        <source>the caller has no identity to check</source>
        <translation>来电者没有可核对的身份</translation>
    </message>
    <message>
        <source>only approved contacts may call</source>
        <translation>只有已批准的联系人可以来电</translation>
    </message>
    <message>
        <source>only scheduled participants may call now</source>
        <translation>现在只有预约的参与者可以来电</translation>
    </message>
    <message>
        <source>calls from anyone are accepted</source>
        <translation>接受任何人的来电</translation>
    </message>
    <message>
        <source>an approved contact</source>
        <translation>已批准的联系人</translation>
    </message>
    <message>
        <source>a participant of an appointment now</source>
        <translation>当前预约的参与者</translation>
    </message>
    <message>
        <source>transfers asked for by the other side are turned off by policy</source>
        <translation>策略已关闭对方请求的转接</translation>
    </message>
    <message>
        <source>the transfer target is not a SIP address: {target}</source>
        <translation>转接目标不是 SIP 地址：{target}</translation>
    </message>
    <message>
        <source>transfers to the domain {domain} are not allowed</source>
        <translation>不允许转接到域 {domain}</translation>
    </message>
    <message>
        <source>the transfer is allowed by policy</source>
        <translation>策略允许此转接</translation>
    </message>
    <message>
        <source>end-to-end encryption is required for this call, and it cannot be end to end; an ordinary encrypted call would let the server read its keys</source>
        <translation>此通话要求端到端加密，但无法建立端到端加密；普通加密通话的密钥可被服务器读取</translation>
    </message>
    <message>
        <source>not end to end: encrypted to the server only</source>
        <translation>非端到端：仅加密到服务器</translation>
    </message>
    <message>
        <source>the server&apos;s certificate was refused</source>
        <translation>服务器证书被拒绝</translation>
    </message>
    <message>
        <source>TLS certificate verification failed ({detail})</source>
        <translation>TLS 证书验证失败（{detail}）</translation>
    </message>
    <message>
        <source>wrong user name or password ({answer})</source>
        <translation>用户名或密码错误（{answer}）</translation>
    </message>
    <message>
        <source>server unreachable ({answer})</source>
        <translation>无法连接服务器（{answer}）</translation>
    </message>
    <message>
        <source>the server answered {answer}</source>
        <translation>服务器回复 {answer}</translation>
    </message>
    <message>
        <source>the call could not be placed</source>
        <translation>无法发起呼叫</translation>
    </message>
    <message>
        <source>hung up before the call was placed</source>
        <translation>呼叫发出前已挂断</translation>
    </message>
    <message>
        <source>the call did not come over this account&apos;s encrypted connection</source>
        <translation>来电未经此账户的加密连接到达</translation>
    </message>
    <message>
        <source>the caller offered unencrypted media</source>
        <translation>来电方提供的是未加密的媒体</translation>
    </message>
    <message>
        <source>the media is not encrypted</source>
        <translation>媒体未加密</translation>
    </message>
    <message>
        <source>this app could not offer encrypted media</source>
        <translation>本应用无法提供加密媒体</translation>
    </message>
    <message>
        <source>end-to-end encryption is required for this call, and it cannot be end to end</source>
        <translation>此通话要求端到端加密，但无法建立端到端加密</translation>
    </message>
    <message>
        <source>the end-to-end encryption could not be set up</source>
        <translation>无法建立端到端加密</translation>
    </message>
    <message>
        <source>the end-to-end media did not connect in time</source>
        <translation>端到端媒体未能及时连接</translation>
    </message>
    <message>
        <source>the other side&apos;s encryption certificate is not the one it announced</source>
        <translation>对方的加密证书与其声明的不符</translation>
    </message>
    <message>
        <source>the short codes did not match: someone may be intercepting the call</source>
        <translation>短验证码不一致：可能有人在截听此通话</translation>
    </message>
    <message>
        <source>the end-to-end check failed: someone may be interfering with the call</source>
        <translation>端到端校验失败：可能有人在干扰此通话</translation>
    </message>
    <message>
        <source>you confirmed that the short codes match</source>
        <translation>您已确认短验证码一致</translation>
    </message>
    <message>
        <source>the other side presented the identity verified on an earlier call</source>
        <translation>对方出示了在之前通话中验证过的身份</translation>
    </message>
    <message>
        <source>no short code: the caller never sent what the code is made from, so this call cannot be verified (it stays end-to-end encrypted, not verified)</source>
        <translation>没有短验证码：来电方始终未发送生成验证码所需的数据，因此无法验证此通话（通话仍为端到端加密，但未验证）</translation>
    </message>
    <message>
        <source>no authorization code is set up on this computer</source>
        <translation>此计算机上未设置授权码</translation>
    </message>
    <message>
        <source>an authorization code is {low} to {high} digits (0-9)</source>
        <translation>授权码为 {low} 到 {high} 位数字（0-9）</translation>
    </message>
    <message>
        <source>wrong authorization code ({left} tries left)</source>
        <translation>授权码错误（还剩 {left} 次机会）</translation>
    </message>
    <message>
        <source>too many wrong authorization codes: locked for {minutes} min</source>
        <translation>授权码错误次数过多：已锁定 {minutes} 分钟</translation>
    </message>
    <message>
        <source>wait {seconds} s before trying the authorization code again</source>
        <translation>请等待 {seconds} 秒后再输入授权码</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
</context>
<context>
    <name>SasPanel</name>
    <message>
        <source>✔ Verified — the codes match</source>
        <translation>✔ 已验证 — 验证码一致</translation>
    </message>
    <message>
        <source>Verified: the codes match</source>
        <translation>已验证：验证码一致</translation>
    </message>
    <message>
        <source>Press only when the other person read exactly the same four characters</source>
        <translation>仅当对方读出的四个字符完全相同时才按此按钮</translation>
    </message>
    <message>
        <source>✖ Mismatch — the codes differ</source>
        <translation>✖ 不一致 — 验证码不同</translation>
    </message>
    <message>
        <source>Mismatch: the codes differ</source>
        <translation>不一致：验证码不同</translation>
    </message>
    <message>
        <source>Ends the call: someone may be in the middle</source>
        <translation>结束通话：可能有人在中间窃听</translation>
    </message>
    <message>
        <source>Short authentication code</source>
        <translation>短验证码</translation>
    </message>
    <message>
        <source>Telling the app the codes match…</source>
        <translation>正在确认验证码一致…</translation>
    </message>
    <message>
        <source>Ending the call: the codes differ…</source>
        <translation>正在结束通话：验证码不同…</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <source>Search contacts and history…</source>
        <translation>搜索联系人和通话记录…</translation>
    </message>
    <message>
        <source>Search contacts and history</source>
        <translation>搜索联系人和通话记录</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
</context>
<context>
    <name>SecondLegPanel</name>
    <message>
        <source>Second call to</source>
        <translation>第二路通话至</translation>
    </message>
    <message>
        <source>Second call to (number or SIP address)</source>
        <translation>第二路通话呼叫（号码或 SIP 地址）</translation>
    </message>
    <message>
        <source>Consult, then transfer</source>
        <translation>先咨询，再转接</translation>
    </message>
    <message>
        <source>Call someone while this call waits on hold, then hand this call over to them</source>
        <translation>在本通话保持期间呼叫另一人，然后将本通话转交给对方</translation>
    </message>
    <message>
        <source>Add to conference</source>
        <translation>加入会议</translation>
    </message>
    <message>
        <source>Call someone else and talk with both at once</source>
        <translation>呼叫另一人，同时与双方通话</translation>
    </message>
    <message>
        <source>Complete transfer</source>
        <translation>完成转接</translation>
    </message>
    <message>
        <source>Merge calls</source>
        <translation>合并通话</translation>
    </message>
    <message>
        <source>Calling {target}… (this call is on hold)</source>
        <translation>正在呼叫 {target}…（本通话处于保持状态）</translation>
    </message>
    <message>
        <source>Talking to {target}. Complete the transfer when ready.</source>
        <translation>正在与 {target} 通话。准备好后请完成转接。</translation>
    </message>
    <message>
        <source>{target} answered. Merge to talk with both.</source>
        <translation>{target} 已接听。合并后即可与双方通话。</translation>
    </message>
    <message>
        <source>Handing this call over to {target}…</source>
        <translation>正在将本通话转交给 {target}…</translation>
    </message>
    <message>
        <source>Merging…</source>
        <translation>正在合并…</translation>
    </message>
    <message numerus="yes">
        <source>Conference: you and %n other calls, mixed together.</source>
        <translation>
            <numerusform>会议：您与另外 %n 路通话已混音在一起。</numerusform>
        </translation>
    </message>
    <message>
        <source>The other call in the conference ended.</source>
        <translation>会议中的另一路通话已结束。</translation>
    </message>
    <message>
        <source>The second call ended ({reason}); this call is back.</source>
        <translation>第二路通话已结束（{reason}）；已恢复本通话。</translation>
    </message>
</context>
<context>
    <name>SecurityLabels</name>
    <message>
        <source>end-to-end encrypted (verified)</source>
        <translation>端到端加密（已验证）</translation>
    </message>
    <message>
        <source>end-to-end encrypted (not verified)</source>
        <translation>端到端加密（未验证）</translation>
    </message>
    <message>
        <source>encrypted to the server only</source>
        <translation>仅加密到服务器</translation>
    </message>
    <message>
        <source>not encrypted</source>
        <translation>未加密</translation>
    </message>
</context>
<context>
    <name>SecurityText</name>
    <message>
        <source>Checking encryption…</source>
        <translation>正在检查加密…</translation>
    </message>
    <message>
        <source>Media: not flowing yet</source>
        <translation>媒体：尚未传输</translation>
    </message>
    <message>
        <source>End-to-end: not known yet</source>
        <translation>端到端：尚不确定</translation>
    </message>
    <message>
        <source>the administrator&apos;s profile allows unencrypted media</source>
        <translation>管理员的配置允许未加密媒体</translation>
    </message>
    <message>
        <source>refused: this call is being ended</source>
        <translation>已拒绝：正在结束本通话</translation>
    </message>
    <message>
        <source>Media: SRTP {suite} (hop by hop), keys exchanged {how}</source>
        <translation>媒体：SRTP {suite}（逐跳加密），密钥{how}交换</translation>
    </message>
    <message>
        <source>Media: plain RTP ({profile}), NOT encrypted — {why}</source>
        <translation>媒体：明文 RTP（{profile}），未加密 — {why}</translation>
    </message>
    <message>
        <source>End-to-end: no — others on the network can listen</source>
        <translation>端到端：否 — 网络上的其他人可以监听</translation>
    </message>
    <message>
        <source>End-to-end: no</source>
        <translation>端到端：否</translation>
    </message>
    <message>
        <source>Media: SRTP {suite}, keys sent by SDES over unencrypted signalling</source>
        <translation>媒体：SRTP {suite}，密钥通过 SDES 经未加密信令发送</translation>
    </message>
    <message>
        <source>Media: SRTP {suite}, keys agreed by {keying} between the two apps</source>
        <translation>媒体：SRTP {suite}，密钥由双方应用通过 {keying} 协商</translation>
    </message>
    <message>
        <source>End-to-end: yes — verified: no one is in the middle</source>
        <translation>端到端：是 — 已验证：中间没有第三方</translation>
    </message>
    <message>
        <source>End-to-end: yes — compare the short code below aloud to be sure</source>
        <translation>端到端：是 — 请大声核对下方的短验证码以确认</translation>
    </message>
    <message>
        <source>inside the TLS signalling</source>
        <translation>在 TLS 信令内</translation>
    </message>
    <message>
        <source>by {keying}</source>
        <translation>通过 {keying}</translation>
    </message>
    <message>
        <source>End-to-end: no — your provider&apos;s servers can access the keys</source>
        <translation>端到端：否 — 您的服务提供商的服务器可以获取密钥</translation>
    </message>
    <message>
        <source>Signalling: not known yet</source>
        <translation>信令：尚不确定</translation>
    </message>
    <message>
        <source>Signalling: NOT encrypted ({transport})</source>
        <translation>信令：未加密（{transport}）</translation>
    </message>
    <message>
        <source>Signalling: {how}</source>
        <translation>信令：{how}</translation>
    </message>
    <message>
        <source>; server certificate SHA-256 {fingerprint}</source>
        <translation>；服务器证书 SHA-256 {fingerprint}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>任何人</translation>
    </message>
    <message>
        <source>Approved contacts only</source>
        <translation>仅限已批准的联系人</translation>
    </message>
    <message>
        <source>Scheduled participants only</source>
        <translation>仅限已预约的参与者</translation>
    </message>
    <message>
        <source>Every caller rings (except the administrator&apos;s block list).</source>
        <translation>所有来电都会振铃（管理员屏蔽名单中的除外）。</translation>
    </message>
    <message>
        <source>Only contacts marked “approved” ring; others are declined (603) before they ring, and the refusal is kept in the history.</source>
        <translation>只有标记为“已批准”的联系人来电会振铃；其他来电在振铃前即被拒绝（603），拒绝记录会保存在通话记录中。</translation>
    </message>
    <message>
        <source>Only the participant of an appointment rings, from 10 minutes before it starts until 15 minutes after it ends; others hear “temporarily unavailable” (480).</source>
        <translation>只有预约的参与者来电会振铃，时间为预约开始前 10 分钟至结束后 15 分钟；其他来电方会听到“暂时无法接通”（480）。</translation>
    </message>
    <message>
        <source>Takes full effect after a restart: windows opened after saving use the new language at once; windows already open may keep the old one until the app starts again.</source>
        <translation>重新启动后完全生效：保存后打开的窗口会立即使用新语言；已打开的窗口在应用重新启动前可能仍显示原来的语言。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>安全</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>隐私</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>通话</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Server certificate (as seen at the last registration)</source>
        <translation>服务器证书（上次注册时所见）</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>连接：</translation>
    </message>
    <message>
        <source>Issued to:</source>
        <translation>颁发给：</translation>
    </message>
    <message>
        <source>REFUSED: {problem}</source>
        <translation>已拒绝：{problem}</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Issuer:</source>
        <translation>颁发者：</translation>
    </message>
    <message>
        <source>Valid until:</source>
        <translation>有效期至：</translation>
    </message>
    <message>
        <source>Not connected yet: register to see the certificate.</source>
        <translation>尚未连接：注册后即可查看证书。</translation>
    </message>
    <message>
        <source>Profile {name}</source>
        <translation>配置 {name}</translation>
    </message>
    <message>
        <source>Signalling:</source>
        <translation>信令：</translation>
    </message>
    <message>
        <source>{transport} to {server}:{port}</source>
        <translation>经 {transport} 连接 {server}:{port}</translation>
    </message>
    <message>
        <source>certificate and host name verified</source>
        <translation>证书和主机名已验证</translation>
    </message>
    <message>
        <source>NOT verified (the administrator opted out)</source>
        <translation>未验证（管理员已选择不验证）</translation>
    </message>
    <message>
        <source>Server check:</source>
        <translation>服务器检查：</translation>
    </message>
    <message>
        <source>Minimum TLS:</source>
        <translation>最低 TLS 版本：</translation>
    </message>
    <message>
        <source>Trusted CAs:</source>
        <translation>受信任的 CA：</translation>
    </message>
    <message>
        <source>the system&apos;s</source>
        <translation>系统自带</translation>
    </message>
    <message>
        <source>SRTP {srtp}, keying {keying}</source>
        <translation>SRTP {srtp}，密钥交换 {keying}</translation>
    </message>
    <message>
        <source>Media:</source>
        <translation>媒体：</translation>
    </message>
    <message>
        <source>Administrator&apos;s policy</source>
        <translation>管理员策略</translation>
    </message>
    <message>
        <source>Policy file: {file}</source>
        <translation>策略文件：{file}</translation>
    </message>
    <message>
        <source>No policy file: built-in defaults</source>
        <translation>无策略文件：使用内置默认值</translation>
    </message>
    <message>
        <source>Locked settings: {keys}</source>
        <translation>已锁定的设置：{keys}</translation>
    </message>
    <message>
        <source>Nothing is locked.</source>
        <translation>没有锁定的设置。</translation>
    </message>
    <message>
        <source>Keep a call history (stored encrypted on this computer)</source>
        <translation>保留通话记录（加密保存在本计算机上）</translation>
    </message>
    <message>
        <source>until I delete it</source>
        <translation>直到我删除为止</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Show the caller&apos;s name and number in notifications</source>
        <translation>在通知中显示来电方的姓名和号码</translation>
    </message>
    <message>
        <source>Keep history for:</source>
        <translation>通话记录保留：</translation>
    </message>
    <message>
        <source>Off is privacy mode: a ringing call shows only “Incoming call”, in the window and in the tray, so nobody nearby learns who is calling.</source>
        <translation>关闭即为隐私模式：来电振铃时，窗口和托盘中只显示“来电”，身边的人无从得知是谁来电。</translation>
    </message>
    <message>
        <source>Sign out between appointments</source>
        <translation>预约间隙自动注销</translation>
    </message>
    <message>
        <source>Registered only while an appointment&apos;s window is open, so nobody can reach you when no call is scheduled. A call in progress is never cut.</source>
        <translation>仅在预约时段内保持注册，没有安排通话时任何人都无法联系到您。进行中的通话绝不会被中断。</translation>
    </message>
    <message>
        <source>no reminder</source>
        <translation>不提醒</translation>
    </message>
    <message>
        <source> min before</source>
        <translation> 分钟前</translation>
    </message>
    <message>
        <source>Who may call me:</source>
        <translation>谁可以呼叫我：</translation>
    </message>
    <message>
        <source>Appointment reminder:</source>
        <translation>预约提醒：</translation>
    </message>
    <message>
        <source>System default ({language})</source>
        <translation>系统默认（{language}）</translation>
    </message>
    <message>
        <source>The language of this app&apos;s windows, menus and messages. The command line (softphone …) always speaks English.</source>
        <translation>本应用的窗口、菜单和消息所用的语言。命令行（softphone …）始终使用英文。</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>{variable}={value} is set for this run: it decides the language, whatever is chosen here.</source>
        <translation>本次运行设置了 {variable}={value}：无论此处选择什么，都由它决定语言。</translation>
    </message>
    <message>
        <source>This is the language in use.</source>
        <translation>这是当前使用的语言。</translation>
    </message>
    <message>
        <source>{locked}: {why}</source>
        <translation>{locked}：{why}</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>未保存：{reason}</translation>
    </message>
</context>
<context>
    <name>SignOutController</name>
    <message>
        <source>Signed in for the appointment now</source>
        <translation>已为当前预约登录</translation>
    </message>
    <message>
        <source>Signed in for the appointment now (until {time})</source>
        <translation>已为当前预约登录（至 {time}）</translation>
    </message>
    <message>
        <source>Signed out between appointments; back at {time}</source>
        <translation>预约间隙已注销；{time} 重新登录</translation>
    </message>
    <message>
        <source>Signed out: no appointment in the coming days</source>
        <translation>已注销：近几天没有预约</translation>
    </message>
</context>
<context>
    <name>StatusText</name>
    <message>
        <source>No SIP account — set one up in Settings (the test call works without one)</source>
        <translation>没有 SIP 账户 — 请在“设置”中添加（测试通话无需账户）</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>not valid yet</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <source>is for another server</source>
        <translation>属于另一台服务器</translation>
    </message>
    <message>
        <source>is not from a trusted issuer</source>
        <translation>并非由受信任的机构颁发</translation>
    </message>
    <message>
        <source>is self-signed</source>
        <translation>为自签名证书</translation>
    </message>
    <message>
        <source>was revoked</source>
        <translation>已被吊销</translation>
    </message>
    <message>
        <source>could not be verified</source>
        <translation>无法验证</translation>
    </message>
    <message>
        <source>server certificate {problems}</source>
        <translation>服务器证书{problems}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>The certificate of {server} was refused ({problems}): subject {subject}, issuer {issuer}, valid until {until}, SHA-256 {fingerprint}</source>
        <translation>{server} 的证书被拒绝（{problems}）：主题 {subject}，颁发者 {issuer}，有效期至 {until}，SHA-256 {fingerprint}</translation>
    </message>
    <message>
        <source>Connecting {address}…</source>
        <translation>正在连接 {address}…</translation>
    </message>
    <message>
        <source>Registered as {address}</source>
        <translation>已注册为 {address}</translation>
    </message>
    <message>
        <source>Registered as {address} — {tls}</source>
        <translation>已注册为 {address} — {tls}</translation>
    </message>
    <message>
        <source>Registered as {address} — signalling NOT encrypted ({transport})</source>
        <translation>已注册为 {address} — 信令未加密（{transport}）</translation>
    </message>
    <message>
        <source>Signed out ({address})</source>
        <translation>已注销（{address}）</translation>
    </message>
    <message>
        <source>{problem} on {date}</source>
        <translation>{problem}（{date}）</translation>
    </message>
    <message>
        <source>Not registered: {reason}</source>
        <translation>未注册：{reason}</translation>
    </message>
</context>
<context>
    <name>TestCallDialog</name>
    <message>
        <source>Encrypted test call</source>
        <translation>加密测试通话</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>TestCallPage</name>
    <message>
        <source>Encrypted test call</source>
        <translation>加密测试通话</translation>
    </message>
    <message>
        <source>A real TLS + SRTP call to an echo peer inside this app.</source>
        <translation>一次真实的 TLS + SRTP 通话，呼叫本应用内置的回声端。</translation>
    </message>
</context>
<context>
    <name>TestCallPanel</name>
    <message>
        <source>Signalling: {tls} {cipher} (peer certificate pinned)</source>
        <translation>信令：{tls} {cipher}（对端证书已固定）</translation>
    </message>
    <message>
        <source>Signalling: no verified TLS</source>
        <translation>信令：无经验证的 TLS</translation>
    </message>
    <message>
        <source>Pinned certificate: SHA-256 {fingerprint}</source>
        <translation>固定的证书：SHA-256 {fingerprint}</translation>
    </message>
    <message>
        <source>Media: {profile} {suite}, keying {keying}</source>
        <translation>媒体：{profile} {suite}，密钥交换 {keying}</translation>
    </message>
    <message>
        <source>Test tone came back: {level} dBFS, SNR {snr} dB (first audio after {ms} ms)</source>
        <translation>测试音已返回：{level} dBFS，信噪比 {snr} dB（首个音频在 {ms} 毫秒后到达）</translation>
    </message>
    <message>
        <source>Packets: received {rx}, sent {tx}, lost {lost} ({pct} %)</source>
        <translation>数据包：接收 {rx}，发送 {tx}，丢失 {lost}（{pct}%）</translation>
    </message>
    <message>
        <source>FAILED: {failure}</source>
        <translation>失败：{failure}</translation>
    </message>
    <message>
        <source>Place the encrypted test call</source>
        <translation>发起加密测试通话</translation>
    </message>
    <message>
        <source>Calls an echo peer inside this app over TLS and SRTP with your microphone and speaker: for a few seconds you hear yourself, as the other side would.</source>
        <translation>通过 TLS 和 SRTP，用您的麦克风和扬声器呼叫本应用内的回声端：几秒钟内您会听到自己的声音，就像对方听到的一样。</translation>
    </message>
    <message>
        <source>Calls an echo peer inside this app over TLS and SRTP — no account, no network and no sound card needed.</source>
        <translation>通过 TLS 和 SRTP 呼叫本应用内置的回声端 — 无需账户、网络或声卡。</translation>
    </message>
    <message>
        <source>Run it again</source>
        <translation>再次运行</translation>
    </message>
    <message>
        <source>Test call finished.</source>
        <translation>测试通话已结束。</translation>
    </message>
    <message>
        <source>✔ PASS — the call was encrypted both ways and audio flowed</source>
        <translation>✔ 通过 — 通话双向加密，音频传输正常</translation>
    </message>
    <message>
        <source>✖ FAIL — see below</source>
        <translation>✖ 失败 — 详见下方</translation>
    </message>
</context>
<context>
    <name>TestCallRunner</name>
    <message>
        <source>Starting the embedded echo peer (its own TLS certificate)…</source>
        <translation>正在启动内置回声端（使用其自己的 TLS 证书）…</translation>
    </message>
    <message>
        <source>Calling the echo peer over TLS with SRTP…</source>
        <translation>正在通过 TLS 和 SRTP 呼叫回声端…</translation>
    </message>
    <message>
        <source>Connected; speak: you hear yourself through both encrypted legs…</source>
        <translation>已接通；请说话：您会听到自己的声音经过两段加密链路传回…</translation>
    </message>
    <message>
        <source>Connected; sending a {hz} Hz tone and listening…</source>
        <translation>已接通；正在发送 {hz} Hz 测试音并监听…</translation>
    </message>
    <message>
        <source>Measured; hanging up…</source>
        <translation>测量完成；正在挂断…</translation>
    </message>
    <message>
        <source>call ended before it was measured: {reason}</source>
        <translation>通话在测量完成前结束：{reason}</translation>
    </message>
    <message>
        <source>{command} failed: {error}</source>
        <translation>{command} 失败：{error}</translation>
    </message>
    <message>
        <source>no result within {seconds} s</source>
        <translation>{seconds} 秒内没有结果</translation>
    </message>
</context>
<context>
    <name>TodayText</name>
    <message>
        <source>busy</source>
        <translation>忙线</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>no answer</source>
        <translation>无人接听</translation>
    </message>
    <message>
        <source>planned</source>
        <translation>已计划</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>未接</translation>
    </message>
    <message>
        <source>refused: {reason}</source>
        <translation>已拒绝：{reason}</translation>
    </message>
    <message>
        <source>failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>running late: about %n min (said at {time})</source>
        <translation>
            <numerusform>将晚到：约 %n 分钟（{time} 告知）</numerusform>
        </translation>
    </message>
    <message>
        <source>last attempt {time}: {outcome}</source>
        <translation>最近一次尝试 {time}：{outcome}</translation>
    </message>
    <message>
        <source>call completed ({duration})</source>
        <translation>通话已完成（{duration}）</translation>
    </message>
    <message>
        <source>we call</source>
        <translation>我方呼叫</translation>
    </message>
    <message>
        <source>they call us</source>
        <translation>对方呼叫我方</translation>
    </message>
    <message>
        <source>Appointment</source>
        <translation>预约</translation>
    </message>
    <message>
        <source>phrase set</source>
        <translation>已设验证短语</translation>
    </message>
    <message>
        <source>done, {duration}</source>
        <translation>已完成，{duration}</translation>
    </message>
    <message>
        <source>{status} — {outcome}</source>
        <translation>{status} — {outcome}</translation>
    </message>
    <message>
        <source> · </source>
        <translation> · </translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Tomorrow</source>
        <translation>明天</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>现在</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message numerus="yes">
        <source>Appointment in %n min</source>
        <translation>
            <numerusform>%n 分钟后有预约</numerusform>
        </translation>
    </message>
    <message>
        <source>Appointment now</source>
        <translation>预约现在开始</translation>
    </message>
    <message>
        <source>At {time}: details in the Today tab.</source>
        <translation>{time}：详情请见“今天”标签页。</translation>
    </message>
    <message>
        <source>{time} {title} with {who} ({direction})</source>
        <translation>{time} 与 {who} 的{title}（{direction}）</translation>
    </message>
    <message>
        <source>Scheduled appointment at {time}</source>
        <translation>已预约：{time}</translation>
    </message>
    <message>
        <source>Scheduled: {start}–{end} {title}</source>
        <translation>已预约：{start}–{end} {title}</translation>
    </message>
    <message>
        <source>Follow-up: {title}</source>
        <translation>随访：{title}</translation>
    </message>
    <message>
        <source>whom to call is empty: pick a contact or type a number or SIP address</source>
        <translation>未填写呼叫对象：请选择联系人，或输入号码或 SIP 地址</translation>
    </message>
    <message>
        <source>the duration must be 1 to {max} minutes</source>
        <translation>时长必须为 1 到 {max} 分钟</translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <source>iCalendar (*.ics)</source>
        <translation>iCalendar 日历 (*.ics)</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Calendar</source>
        <translation>日历</translation>
    </message>
    <message>
        <source>Import .ics…</source>
        <translation>导入 .ics…</translation>
    </message>
    <message>
        <source>Export .ics…</source>
        <translation>导出 .ics…</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <source>No appointments in the coming days. Add one, or import .ics.</source>
        <translation>近几天没有预约。可以添加一个，或导入 .ics 文件。</translation>
    </message>
    <message>
        <source>Call now</source>
        <translation>立即呼叫</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>I&apos;m running late</source>
        <translation>我会晚到</translation>
    </message>
    <message numerus="yes">
        <source>About %n min</source>
        <translation>
            <numerusform>约 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel appointment</source>
        <translation>取消预约</translation>
    </message>
    <message>
        <source>Appointments are unavailable: the encrypted database is not open.</source>
        <translation>预约不可用：加密数据库未打开。</translation>
    </message>
    <message>
        <source>Could not read the appointments: {error}</source>
        <translation>无法读取预约：{error}</translation>
    </message>
    <message>
        <source>Today, {date}</source>
        <translation>今天，{date}</translation>
    </message>
    <message>
        <source>Saved the appointment at {when}.</source>
        <translation>已保存 {when} 的预约。</translation>
    </message>
    <message>
        <source>Not changed: {error}</source>
        <translation>未更改：{error}</translation>
    </message>
    <message numerus="yes">
        <source>Marked as running late (%n min).</source>
        <translation>
            <numerusform>已标记为将晚到（%n 分钟）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel the appointment at {when}?</source>
        <translation>取消 {when} 的预约？</translation>
    </message>
    <message>
        <source>Appointment cancelled.</source>
        <translation>预约已取消。</translation>
    </message>
    <message>
        <source>Import appointments</source>
        <translation>导入预约</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Nothing was imported. {file}: {reason}</source>
        <translation>未导入任何内容。{file}：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n all-day</source>
        <translation>
            <numerusform>%n 个全天事件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n with no one to call</source>
        <translation>
            <numerusform>%n 个没有呼叫对象</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n 个已取消</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n appointments (skipped: {skipped}).</source>
        <translation>
            <numerusform>已导入 %n 个预约（已跳过：{skipped}）。</numerusform>
        </translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n appointments.</source>
        <translation>
            <numerusform>已导入 %n 个预约。</numerusform>
        </translation>
    </message>
    <message>
        <source>Export appointments</source>
        <translation>导出预约</translation>
    </message>
    <message>
        <source>Not exported: {error}</source>
        <translation>未导出：{error}</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n appointments to {file}. The file is not encrypted: keep it safe and delete it when done.</source>
        <translation>
            <numerusform>已将 %n 个预约导出到 {file}。该文件未加密：请妥善保管，用完后删除。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>&amp;Show Softphone</source>
        <translation>显示软电话(&amp;S)</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Create the secret store</source>
        <translation>创建密钥库</translation>
    </message>
    <message>
        <source>Unlock secrets</source>
        <translation>解锁密钥库</translation>
    </message>
    <message>
        <source>This computer has no usable keyring, so passwords are kept in an encrypted file. Choose a passphrase for it; it cannot be recovered if you forget it.</source>
        <translation>此计算机没有可用的密钥环，因此密码保存在加密文件中。请为它设置一个口令；一旦忘记将无法找回。</translation>
    </message>
    <message>
        <source>Your passwords and the key of your call history are in an encrypted file. Type its passphrase to unlock it.</source>
        <translation>您的密码和通话记录的密钥保存在加密文件中。请输入口令以解锁。</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Continue without</source>
        <translation>不解锁继续</translation>
    </message>
    <message>
        <source>No saved passwords and no call history this session</source>
        <translation>本次会话将没有已保存的密码和通话记录</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>口令：</translation>
    </message>
    <message>
        <source>Again:</source>
        <translation>再次输入：</translation>
    </message>
    <message>
        <source>Type the passphrase.</source>
        <translation>请输入口令。</translation>
    </message>
    <message numerus="yes">
        <source>Use at least %n characters.</source>
        <translation>
            <numerusform>请至少使用 %n 个字符。</numerusform>
        </translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核对…</translation>
    </message>
    <message>
        <source>Wrong passphrase — nothing was changed. Try again.</source>
        <translation>口令错误 — 未做任何更改。请重试。</translation>
    </message>
    <message>
        <source>The secret store file is damaged and was left as it is: {error}</source>
        <translation>密钥库文件已损坏，已保持原样：{error}</translation>
    </message>
    <message>
        <source>Could not open the secret store: {error}</source>
        <translation>无法打开密钥库：{error}</translation>
    </message>
</context>
</TS>
