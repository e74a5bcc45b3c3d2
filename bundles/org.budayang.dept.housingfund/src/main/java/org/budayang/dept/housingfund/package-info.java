/** 公积金 Housing provident fund department module: its service items are declared in OSGI-INF/budayang/module.json. */
package org.budayang.dept.housingfund;
