"""Messages of the verify page: verdicts, facts and each check in plain words."""

from __future__ import annotations

VERIFY: dict[str, tuple[str, str]] = {
    "verify.title": ("核验证据包", "Verify an evidence bundle"),
    "verify.lead": ("证据包只靠链上数据即可核验，无需信任任何省份的系统。",
                    "An evidence bundle is checked against the chain alone: no province's "
                    "system needs to be trusted."),
    "verify.bundle-heading": ("提交证据包", "Submit a bundle"),
    "verify.file": ("上传证据包文件", "Upload the bundle file"),
    "verify.file-hint": ("JSON 文件，格式 govtrace.evidence/1", "A JSON file, format "
                         "govtrace.evidence/1"),
    "verify.or": ("或者", "or"),
    "verify.paste": ("粘贴证据包内容", "Paste the bundle"),
    "verify.submit": ("核验", "Verify"),
    "verify.checks": ("逐项检查", "Each check"),
    "verify.claimed": ("以下信息为证据包自述，未经核验确认。", "As the bundle states it; not "
                       "confirmed by the checks."),
    "verify.technical": ("技术细节", "Technical detail"),
    "verify.license-heading": ("按证照编号核验", "Check a license by its identifier"),
    "license.sign-in": ("按证照编号查询需要合作省份、监督或管理员密钥登录。", "Looking a license "
                        "up by its identifier needs a partner, supervisor or admin sign-in."),
    "license.sign-in-link": ("登录", "Sign in"),
    "license.id": ("证照编号", "License identifier"),
    "license.id-hint": ("例如 CN-BL-330000-5e0c9a1f2b7d", "For example CN-BL-330000-5e0c9a1f2b7d"),
    "license.submit": ("查询证照", "Check license"),
    "license.bad-id": ("请填写证照编号（不超过 64 个字符）。", "Enter a license identifier (at "
                       "most 64 characters)."),
    "license.status": ("当前状态", "Current status"),
    "license.status.valid": ("有效", "Valid"),
    "license.status.suspended": ("暂停", "Suspended"),
    "license.status.revoked": ("已撤销", "Revoked"),
    "license.status.expired": ("已过期", "Expired"),
    "license.authority": ("发证机关", "Issuing authority"),
    "license.type-number": ("证照类型 · 号码", "Type · number"),
    "license.validity": ("有效期", "Valid"),
    "license.no-end": ("长期", "no end date"),
    "license.latest": ("最近事件", "Latest event"),
    "license.verdict.authentic": ("真实：证照记录完整并已上链", "Authentic: the license's "
                                  "records are complete and anchored"),
    "license.verdict.authentic.explain": ("证照 {license_id} 自签发起的每个事件都在链上可查；当前"
                                          "状态见下。", "Every event of license {license_id} "
                                          "since issuance is on chain; its current status is "
                                          "below."),
    "license.verdict.revoked": ("证照已撤销", "License revoked"),
    "license.verdict.revoked.explain": ("证照 {license_id} 已被发证省份撤销，不再有效。",
                                        "License {license_id} was revoked by its issuing "
                                        "province and is no longer valid."),
    "license.verdict.altered": ("证照记录链不完整：可能被篡改", "The license's record chain is "
                                "broken: it may have been tampered with"),
    "license.verdict.altered.explain": ("证照 {license_id} 的记录链断裂，请勿依赖，"
                                        "并联系发证省份。",
                                        "The records of license {license_id} do not form an "
                                        "unbroken chain; do not rely on it and contact the "
                                        "issuing province."),
    "license.verdict.not-anchored": ("最近的事件尚未上链确认", "Latest event not anchored yet"),
    "license.verdict.not-anchored.explain": ("证照 {license_id} 最近的事件还在等待上链，"
                                             "请稍后再查。",
                                             "The latest event of license {license_id} is not "
                                             "final on chain yet; check again shortly."),
    "license.verdict.unknown": ("找不到该证照", "No such license"),
    "license.verdict.unknown.explain": ("本系统没有签发过编号为 {license_id} 的证照。",
                                        "No license {license_id} has been issued here."),
    "verify.too-large": ("证据包超过 {kb} KB，不是有效的证据包。",
                         "The bundle is larger than {kb} KB; that is not a valid bundle."),
    "verify.empty": ("请上传证据包文件或粘贴其内容。", "Upload a bundle file or paste its "
                     "content."),
    "verdict.authentic": ("真实：记录未被篡改，且已上链确认", "Authentic: unaltered and "
                          "anchored on chain"),
    "verdict.authentic.explain": ("记录内容与链上锚定的默克尔根一致。",
                                  "The record matches the Merkle root anchored on chain."),
    "verdict.altered": ("已被篡改：证据包与链上数据不符", "Altered: the bundle does not match "
                        "the chain"),
    "verdict.altered.explain": ("记录或其证明被改动过，不能作为凭证。",
                                "The record or its proof was changed; it cannot be relied on."),
    "verdict.not-anchored": ("尚未上链确认", "Not anchored yet"),
    "verdict.not-anchored.explain": ("记录所在批次还没有在链上确认，请稍后重新获取证据包再核验。",
                                     "The record's batch is not final on chain yet; fetch the "
                                     "bundle again later and retry."),
    "verdict.revoked": ("证照已撤销", "Revoked"),
    "verdict.revoked.explain": ("记录真实，但该证照已被撤销，不再有效。",
                                "The record is authentic but the license has been revoked."),
    "verdict.malformed": ("不是有效的证据包", "Not an evidence bundle"),
    "verdict.malformed.explain": ("内容无法识别为 govtrace.evidence/1 证据包。",
                                  "The content is not a govtrace.evidence/1 bundle."),
    "verdict.unavailable": ("暂时无法核验", "Cannot check right now"),
    "verdict.unavailable.explain": ("无法连接区块链，未作出结论，请稍后再试。",
                                    "The chain could not be reached, so nothing was decided. "
                                    "Try again later."),
    "fact.province": ("出具省份", "Issuing province"),
    "fact.record": ("记录编号", "Record"),
    "fact.kind": ("记录类型", "Kind"),
    "fact.subject": ("办件/证照编号", "Case or license"),
    "fact.department": ("办理部门", "Department"),
    "fact.occurred": ("发生时间（北京时间）", "Occurred at (Beijing time)"),
    "fact.batch": ("批次", "Batch"),
    "fact.tx": ("上链交易", "Anchor transaction"),
    "fact.block": ("区块高度", "Block"),
    "fact.chain": ("链 ID · 合约", "Chain id · contract"),
    "fact.confirmations": ("确认数", "Confirmations"),
    "fact.no-anchor": ("证据包中没有上链信息", "The bundle cites no anchor"),
    "outcome.passed": ("通过", "Passed"),
    "outcome.failed": ("未通过", "Failed"),
    "outcome.not-run": ("未执行", "Not run"),
}

CHECKS: dict[str, tuple[str, str]] = {
    "check.format": ("格式", "Format"),
    "check.format.passed": ("是完整的 govtrace.evidence/1 证据包。", "A complete "
                            "govtrace.evidence/1 bundle."),
    "check.format.failed": ("不是有效的证据包，或缺少字段。", "Not a valid bundle, or fields "
                            "are missing."),
    "check.record-hash": ("记录哈希", "Record hash"),
    "check.record-hash.passed": ("记录内容与其哈希一致，未被改动。", "The record's content "
                                 "matches its hash: unchanged."),
    "check.record-hash.failed": ("记录内容与其哈希不符：记录被改动过。", "The record does not "
                                 "match its hash: it was changed."),
    "check.position": ("位置", "Position"),
    "check.position.passed": ("记录的省份和序号与所在批次相符。", "The record's province and "
                              "sequence number fall in its batch."),
    "check.position.failed": ("记录的省份或序号与批次不符。", "The record's province or "
                              "sequence number does not match the batch."),
    "check.merkle-proof": ("默克尔证明", "Merkle proof"),
    "check.merkle-proof.passed": ("记录确实包含在该批次的默克尔树中。", "The record is in the "
                                  "batch's Merkle tree."),
    "check.merkle-proof.failed": ("默克尔证明不成立：记录不属于该批次的树根。", "The Merkle "
                                  "proof fails: the record is not under the batch root."),
    "check.chain-id": ("链 ID", "Chain id"),
    "check.chain-id.passed": ("证据包指向本联盟链。", "The bundle names this consortium chain."),
    "check.chain-id.failed": ("证据包指向的不是本联盟链。", "The bundle names another chain."),
    "check.contract": ("存证合约", "Contract"),
    "check.contract.passed": ("证据包指向受信任的存证合约。", "The bundle names the trusted "
                              "anchor contract."),
    "check.contract.failed": ("证据包指向的不是受信任的存证合约。", "The bundle names a contract "
                              "that is not the trusted one."),
    "check.anchored-root": ("链上树根", "Anchored root"),
    "check.anchored-root.passed": ("链上记录的该批次树根、范围和交易与证据包一致。", "The root, "
                                   "range and transaction on chain match the bundle."),
    "check.anchored-root.failed": ("链上没有该批次，或其树根、范围、交易与证据包不符。", "The "
                                   "batch is not on chain, or its root, range or transaction "
                                   "differ from the bundle."),
    "check.confirmations": ("确认数", "Confirmations"),
    "check.confirmations.passed": ("上链交易已获得足够的区块确认。", "The anchor has enough "
                                   "confirmations."),
    "check.confirmations.failed": ("上链交易的区块确认数还不够。", "The anchor does not have "
                                   "enough confirmations yet."),
}
for _name in ("format", "record-hash", "position", "merkle-proof", "chain-id", "contract",
              "anchored-root", "confirmations"):
    CHECKS[f"check.{_name}.not-run"] = ("前面的检查未通过，此项未执行。",
                                        "Not run because an earlier check failed.")
