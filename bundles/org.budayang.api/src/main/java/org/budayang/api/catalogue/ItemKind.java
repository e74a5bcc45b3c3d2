package org.budayang.api.catalogue;

/** What a citizen gets from an item. */
public enum ItemKind {
    /** A read-only look-up (balance, status, registration). 查询 */
    QUERY,
    /** Printing an official document with the seal. 出证 */
    CERTIFICATE,
    /** An application that becomes a case, often with paper materials. 申请 */
    APPLICATION,
    /** Anything done on the spot with a device, e.g. issuing a UKey. 办理 */
    SERVICE
}
