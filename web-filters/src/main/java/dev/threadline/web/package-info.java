/** What every web integration shares: how a URI path is written into a line. */
package dev.threadline.web;
