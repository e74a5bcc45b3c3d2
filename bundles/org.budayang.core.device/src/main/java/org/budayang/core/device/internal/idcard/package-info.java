/**
 * GA 467 resident ID-card reader protocol: frame codec ({@link org.budayang.core.device.internal.idcard.Ga467Frame},
 * {@link org.budayang.core.device.internal.idcard.Ga467Decoder}) and the basic-information record
 * ({@link org.budayang.core.device.internal.idcard.IdCardData}). Pure functions, no I/O, no threads.
 */
package org.budayang.core.device.internal.idcard;
