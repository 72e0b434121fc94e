<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <source>Your camera (preview)</source>
        <translation>您的摄像头（预览）</translation>
    </message>
    <message>
        <source>Receiving video from the other side: {0} × {1}, {2} frames</source>
        <translation>正在接收对方的视频：{0} × {1}，{2} 帧</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>摄像头已打开</translation>
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
        <source>The camera did not start: {0}</source>
        <translation>摄像头未能启动：{0}</translation>
    </message>
    <message>
        <source>The other side sees your camera.</source>
        <translation>对方可以看到您的摄像头画面。</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
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
        <source>Not readable: {0}</source>
        <translation>无法读取：{0}</translation>
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
        <source>Short code: {0}</source>
        <translation>短验证码：{0}</translation>
    </message>
    <message>
        <source>⚠ WARNING: this contact&apos;s identity has CHANGED</source>
        <translation>⚠ 警告：此联系人的身份已变更</translation>
    </message>
    <message>
        <source>{0} presented a different identity than the one you verified. Someone else may be answering for them. Compare the code again before you say anything, and press “Mismatch” if it differs.</source>
        <translation>{0} 出示的身份与您验证过的不同，可能有其他人冒充对方接听。在说任何话之前请再次核对验证码；如果不同，请按“不一致”。</translation>
    </message>
    <message>
        <source>Verified before: {0}
Presented now: {1}</source>
        <translation>之前验证的：{0}
现在出示的：{1}</translation>
    </message>
    <message>
        <source>End-to-end: the codes did NOT match — the call was ended, not verified</source>
        <translation>端到端：验证码不一致 — 通话已结束，未验证</translation>
    </message>
    <message>
        <source>ended: the codes did not match — {0}</source>
        <translation>已结束：验证码不一致 — {0}</translation>
    </message>
    <message>
        <source>Not verified yet: compare the code on your next call.</source>
        <translation>尚未验证：请在下次通话时核对验证码。</translation>
    </message>
    <message>
        <source>{0}: verified on {1} — identity {2}</source>
        <translation>{0}：于 {1} 验证 — 身份 {2}</translation>
    </message>
    <message>
        <source>{0}: not verified</source>
        <translation>{0}：未验证</translation>
    </message>
    <message>
        <source>Codes did NOT match on {0}: {1}</source>
        <translation>{0} 验证码不一致：{1}</translation>
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
    <name>SecurityLabel</name>
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
</TS>
