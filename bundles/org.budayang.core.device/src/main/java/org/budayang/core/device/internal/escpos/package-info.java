/** ESC/POS receipt builder (bytes only, no I/O); text in GB18030. */
package org.budayang.core.device.internal.escpos;
