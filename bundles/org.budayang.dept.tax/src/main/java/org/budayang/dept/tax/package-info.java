/** 税务 Tax department module: its service items are declared in OSGI-INF/budayang/module.json. */
package org.budayang.dept.tax;
