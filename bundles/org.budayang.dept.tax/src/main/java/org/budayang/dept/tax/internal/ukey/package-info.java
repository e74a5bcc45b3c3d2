/** Driver of the tax UKey dispenser: frame codec, exchanges, actions (README-ukey.md). */
package org.budayang.dept.tax.internal.ukey;
