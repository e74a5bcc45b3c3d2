/**
 * Locker control board "8A" protocol (RS-485, 9600 8N1, boards 1..32 on one bus): 5-byte command
 * encoders and a streaming reply decoder. Pure codecs, no I/O.
 */
package org.budayang.core.device.internal.locker;
